export * from './custom-object.js';
export * from './object-input.js';
export * from './object-commands.js';
export * from './record-commands.js';
export * from './load-objects.js';
export * from './record-retention.js';
export * from './record-trash.js';
export * from './workspace-catalog.js';
