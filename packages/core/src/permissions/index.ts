export * from './role-grants.js';
export * from './scopes.js';
export * from './permissions.js';
export * from './write-guard.js';
export * from './table-narrowing.js';
export * from './event-readers.js';
