// Saved customer segments: a validated filter, stored membership kept current by every command, events for changes.
export * from './segment-filter.js';
export * from './membership.js';
export * from './segments.js';
export { type FieldRename, renameInFilter } from './segment-filter-rename.js';
