// `crm client generate`: the schema the gateway serves here — every installed plugin, outside ones included — written
// where the typed client reads it (.crm/schema.graphql; packages/client's generate prefers it to the committed
// schema.graphql, which holds the bundled plugins only), then the client's types regenerated from it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildSchema } from '@crm/graph';
import { pluginHostFromEnvironment, PluginHostError } from '@crm/plugin-sdk/host';
import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery, printSchema } from 'graphql';
import { type CliCommand, CommandError } from './command.js';
import { installationRoot, isCheckout, log, positionals } from './plugin-support.js';

/** The composed schema, in-process: the plugins `npm start` would run (CRM_PLUGINS, crm.config.json). */
async function composedSchema(root: string): Promise<string> {
  try {
    const { host } = await pluginHostFromEnvironment({ root });
    return printSchema(buildSchema({ objects: host.objects, extend: [host.extendSchema] }));
  } catch (error) {
    throw new CommandError(error instanceof PluginHostError ? error.message : `Cannot load the plugins: ${String(error)}`);
  }
}

/** A running gateway's schema, by introspection (with an API key when the gateway wants one). */
async function remoteSchema(url: string, apiKey: string | undefined): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      body: JSON.stringify({ query: getIntrospectionQuery({ descriptions: true }) }),
    });
  } catch (error) {
    throw new CommandError(`Cannot reach ${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const body = (await response.json().catch(() => null)) as { data?: IntrospectionQuery; errors?: { message: string }[] } | null;
  if (!body?.data) {
    throw new CommandError(`${url} answered ${response.status} without a schema: ${body?.errors?.map((e) => e.message).join('; ') ?? 'not GraphQL'}`);
  }
  return printSchema(buildClientSchema(body.data));
}

export const clientGenerate: CliCommand = {
  name: 'client generate',
  summary: "writes the gateway's schema (every installed plugin) for the typed client and regenerates its types",
  usage: '[--url URL [--key API_KEY]] [--out FILE]',
  help: [
    'Without --url: the schema composed in-process from the installed plugins (as npm start would serve it). With --url:',
    'the schema of that running gateway (introspection; --key or CRM_API_KEY if it needs a key). Writes FILE (default',
    '.crm/schema.graphql) and, in a checkout, regenerates packages/client\'s types from it.',
    'Prints {"file","source","types","clientTypes"} (clientTypes null outside a checkout).',
  ].join('\n'),
  prepare(argv) {
    const { flags } = positionals(argv, 0, 'no arguments', { url: true, key: true, out: true });
    return {
      offline: async () => {
        const root = installationRoot();
        const sdl = flags.url ? await remoteSchema(flags.url, flags.key ?? process.env.CRM_API_KEY) : await composedSchema(root);
        const file = path.resolve(flags.out ?? path.join(root, '.crm/schema.graphql'));
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, `${sdl}\n`);
        const client = path.join(root, 'packages/client');
        let clientTypes: string | null = null;
        if (isCheckout(root) && fs.existsSync(path.join(client, 'scripts/generate.mjs'))) {
          log('regenerating the typed client (gql.tada) from it…');
          const env = { ...process.env, CRM_CLIENT_SCHEMA: file };
          execFileSync(process.execPath, ['scripts/generate.mjs'], { cwd: client, env, stdio: ['ignore', process.stderr, process.stderr] });
          if (fs.existsSync(path.join(client, 'dist'))) execFileSync(process.execPath, ['scripts/copy-declarations.mjs'], { cwd: client, stdio: 'ignore' });
          clientTypes = path.join(client, 'src/generated/graphql-env.d.ts');
        }
        const types = (sdl.match(/^(type|input|enum|interface|union|scalar) /gm) ?? []).length;
        return { file, source: flags.url ?? 'composed', types, clientTypes };
      },
    };
  },
};
