// Prisma's `cursor` (a connection's `after`/`before`, decoded by Pothos) is looked up by its unique key alone: not
// through the query's `where`, so not inside the workspace. A cursor naming another workspace's row then started the
// page from that row's position (an existence oracle), and one whose values are not strings (`GPC:N:5`, a crafted
// JSON cursor) failed inside Prisma (INTERNAL_SERVER_ERROR). Here every cursor, of the query and of its nested to-many
// reads, gets the workspace added to its condition (a row of another workspace is then as missing as a row that never
// existed), and one that does not name a row by a unique key of the model (`cursor-shape.ts`) is refused as the
// client's input.
import { cursorKeysOf, isCursorOf } from './cursor-shape.js';
import { getDatamodel } from './generated/pothos-types.js';

const models = getDatamodel().datamodel.models;
/** Per model, its relation fields' target models. */
const relations = new Map<string, Map<string, string>>(
  Object.entries(models).map(([name, model]) => [name, new Map(model.fields.filter((field) => field.kind === 'object').map((field) => [field.name, field.type]))]),
);
const tenantModels = new Set(Object.entries(models).filter(([, model]) => model.fields.some((field) => field.name === 'workspaceId')).map(([name]) => name));

type Args = Record<string, unknown>;

/** A cursor that is not one of this list's: the client's input, shown as BAD_USER_INPUT on the argument it came in. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
  readonly extensions: { code: 'BAD_USER_INPUT'; field: 'after' | 'before' };
  constructor(field: 'after' | 'before') {
    super(`${field}: not a cursor of this list`);
    this.extensions = { code: 'BAD_USER_INPUT', field };
  }
}

/** `args` with every cursor (its own and its nested reads') kept inside the workspace; throws on a malformed one. */
export function scopeCursors(model: string, args: Args, workspaceId: string): Args {
  let out = args;
  const cursor = args.cursor;
  if (cursor !== undefined) out = { ...out, cursor: scopedCursor(model, cursor, args.take, workspaceId) };
  for (const key of ['include', 'select'] as const) {
    const selection = args[key];
    if (!selection || typeof selection !== 'object') continue;
    const scoped = scopeSelection(model, selection as Args, workspaceId);
    if (scoped !== selection) out = { ...out, [key]: scoped };
  }
  return out;
}

function scopedCursor(model: string, cursor: unknown, take: unknown, workspaceId: string): Args {
  // Pothos pages backwards (`before`/`last`) with a negative `take`.
  const field = typeof take === 'number' && take < 0 ? 'before' : 'after';
  if (!isCursorOf(cursorKeysOf(model), cursor)) throw new InvalidCursorError(field);
  return tenantModels.has(model) ? { ...cursor, workspaceId } : cursor;
}

function scopeSelection(model: string, selection: Args, workspaceId: string): Args {
  const fields = relations.get(model);
  if (!fields) return selection;
  let out = selection;
  for (const [name, value] of Object.entries(selection)) {
    const target = fields.get(name);
    if (!target || !value || typeof value !== 'object') continue;
    const scoped = scopeCursors(target, value as Args, workspaceId);
    if (scoped !== value) out = { ...out, [name]: scoped };
  }
  return out;
}
