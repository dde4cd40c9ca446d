export { createSqlProjector, type SqlProjection, type SqlProjector, type SqlProjectorOptions } from './projector.js';
