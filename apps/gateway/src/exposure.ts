import type { GraphContext } from '@crm/graph';
import { type DocumentNode, GraphQLError, visit } from 'graphql';
import type { Plugin, YogaServerOptions } from 'graphql-yoga';

/**
 * What the gateway shows of itself: introspection and GraphiQL, and which browser origins may call it (CORS).
 * Production defaults are closed: no introspection, no GraphiQL, no cross-origin calls.
 */
export interface ExposureOptions {
  /**
   * `open`: anyone may introspect, GraphiQL is served; `authenticated`: introspection needs an API key, GraphiQL is
   * served (its requests carry the key); `off`: neither. @default `off` when NODE_ENV=production, else `open`
   */
  introspection?: 'open' | 'authenticated' | 'off';
  /** Origins allowed to call from a browser (`https://crm.example.com`); empty allows none but the same origin. @default [] */
  corsOrigins?: readonly string[];
}

const ON = ['1', 'true', 'on', 'yes'];
const OFF = ['0', 'false', 'off', 'no'];

/**
 * `CRM_INTROSPECTION` (`1` enables it; in production for API keys only; `0` disables it) and `CORS_ORIGINS`
 * (comma-separated origins).
 */
export function exposureFromEnv(env: NodeJS.ProcessEnv = process.env): Required<ExposureOptions> {
  const production = env.NODE_ENV === 'production';
  const flag = (env.CRM_INTROSPECTION ?? '').trim().toLowerCase();
  const enabled = ON.includes(flag) ? true : OFF.includes(flag) ? false : !production;
  const corsOrigins = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  return { introspection: !enabled ? 'off' : production ? 'authenticated' : 'open', corsOrigins };
}

/** Yoga's `cors`: no CORS headers at all unless origins are listed (Yoga allows every origin for an empty list). */
export function corsOption(origins: readonly string[]): YogaServerOptions<object, object>['cors'] {
  if (!origins.length) return false;
  return {
    origin: [...origins],
    credentials: false,
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type', 'accept'],
    maxAge: 600,
  };
}

/** Which introspection root fields a document asks for (fragments included). */
interface Introspection {
  schema: boolean;
  type: boolean;
}

const introspections = new WeakMap<DocumentNode, Introspection>();

function introspectionOf(document: DocumentNode): Introspection {
  let found = introspections.get(document);
  if (!found) {
    const seen: Introspection = { schema: false, type: false };
    visit(document, {
      Field(node) {
        if (node.name.value === '__schema') seen.schema = true;
        else if (node.name.value === '__type') seen.type = true;
      },
    });
    introspections.set(document, (found = seen));
  }
  return found;
}

/**
 * Refuses introspection as the mode says. `__typename` is always allowed (clients need it), and so is `__type` for an
 * API key in every mode: one type's fields are what an authenticated client (the dashboard) asks to learn which
 * optional plugin fields this gateway has. The whole schema (`__schema`) is what `off` withholds.
 */
export function useIntrospectionPolicy(mode: NonNullable<ExposureOptions['introspection']>): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if (mode === 'open') return;
      const asked = introspectionOf(args.document);
      if (!asked.schema && !asked.type) return;
      const session = (args.contextValue as unknown as GraphContext).session;
      if (session && (mode === 'authenticated' || !asked.schema)) return;
      const error = session
        ? new GraphQLError('Introspection is disabled on this server', { extensions: { code: 'FORBIDDEN' } })
        : new GraphQLError('Introspection needs an API key: Authorization: Bearer <apiKey>', { extensions: { code: 'UNAUTHENTICATED' } });
      setResultAndStopExecution({ errors: [error] });
    },
  };
}
