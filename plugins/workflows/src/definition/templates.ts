// Templates in step values: `{{trigger.record.ownerId}}`, `{{trigger.record.customer.ownerId}}`,
// `{{trigger.event.payload.reason}}`, `{{steps.s1.output.id}}`, in a loop `{{item}}`, `{{item.sku}}`, `{{index}}`.
// A string that is exactly one template takes the value itself (an id, a number, a date); a template inside other
// text is written into it.
const TEMPLATE = /\{\{\s*([^{}]+?)\s*\}\}/g;
/** The template pattern's source (one template, its path the first group): for callers that replace templates. */
export const TEMPLATE_SOURCE = TEMPLATE.source;
const WHOLE = /^\{\{\s*([^{}]+?)\s*\}\}$/;

/** What templates read: the trigger (event and record as of the trigger) and the outputs of the steps that ran. */
export interface TemplateScope {
  trigger: { event: Record<string, unknown> | null; record: Record<string, unknown> | null };
  steps: Record<string, { output: unknown }>;
  /** Inside a `forEach`: the current item and its position (from 0). */
  item?: unknown;
  index?: number;
  /** In a `waitForEvent`'s `where`: the event it tests (as the step's output holds it: `{{event.payload.…}}`). */
  event?: unknown;
}

/** The path when the string is exactly one template (it then takes the value itself, typed); null otherwise. */
export function wholeTemplate(value: string): string | null {
  return WHOLE.exec(value)?.[1] ?? null;
}

/** Whether the string holds a template anywhere. */
export const hasTemplate = (value: string) => new RegExp(TEMPLATE.source).test(value);

/** Every template path in a value, with where it sits (`title`, `values.ownerId`, `body.customer`). */
export function templatePaths(value: unknown, at: string): { path: string; at: string }[] {
  if (typeof value === 'string') return [...value.matchAll(TEMPLATE)].map((m) => ({ path: m[1]!, at }));
  if (Array.isArray(value)) return value.flatMap((item, i) => templatePaths(item, `${at}.${i}`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => templatePaths(item, at ? `${at}.${key}` : key));
  return [];
}

function lookup(scope: TemplateScope, path: string): unknown {
  let current: unknown = scope;
  for (const part of path.split('.')) {
    if (current === null || current === undefined || typeof current !== 'object') return null;
    current = (current as Record<string, unknown>)[part];
  }
  return current ?? null;
}

/** The value with its templates filled in from `scope`. */
export function resolveTemplates(value: unknown, scope: TemplateScope): unknown {
  if (typeof value === 'string') {
    const whole = wholeTemplate(value);
    if (whole !== null) return lookup(scope, whole);
    return value.replace(TEMPLATE, (_m, path: string) => {
      const found = lookup(scope, path);
      return found === null ? '' : typeof found === 'object' ? JSON.stringify(found) : String(found);
    });
  }
  if (Array.isArray(value)) return value.map((item) => resolveTemplates(item, scope));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveTemplates(v, scope)]));
  return value;
}
