export { buildSchema, type BuildSchemaOptions } from './schema.js';
export { createBuilder, MAX_PAGE_SIZE, type Builder, type SchemaTypes } from './builder.js';
export type { GraphContext } from './context.js';
export { rowId, optionalRowId, globalId } from './ids.js';
export { callerOf } from './caller.js';
