export { buildSchema, type BuildSchemaOptions } from './schema.js';
export { createBuilder, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE, type Builder, type SchemaTypes } from './builder.js';
export type { GraphContext, LiveEvents } from './context.js';
export { eventCursor } from './modules/events.js';
export { rowId, optionalRowId, globalId } from './ids.js';
export { callerOf } from './caller.js';
export { createSqlProjector, type SqlProjection, type SqlProjector } from './sql-projection/index.js';
