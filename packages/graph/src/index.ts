export { buildSchema, type BuildSchemaOptions } from './schema.js';
export { createBuilder, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE, type Builder, type SchemaTypes } from './builder.js';
export type { GraphContext, LiveEvents } from './context.js';
export { eventCursor } from './modules/events.js';
export { rowId, optionalRowId, globalId } from './ids.js';
export { callerOf } from './caller.js';
export { createReadEngine, type CompiledRead, type ReadEngine, type ReadEngineOptions } from './engine/read-engine.js';
export { catalogOf } from './objects/catalog-of.js';
export { declaredRef } from './objects/declared-ref.js';
