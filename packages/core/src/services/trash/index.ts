export * from './trash.js';
export { trashObjects, type TrashObject } from './objects.js';
export { trashObjectNames, type TrashObjectName, type TrashEventPayload } from './trash-events.js';
