export * from './field-types.js';
export * from './definition.js';
export * from './definition-input.js';
export * from './field-values.js';
export * from './load-definitions.js';
export * from './custom-field-indexes.js';
export * from './custom-field-commands.js';
export * from './relation-values.js';
