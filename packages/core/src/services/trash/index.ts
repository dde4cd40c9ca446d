export * from './trash.js';
export { allTrashObjects, trashObjectOf, trashObjectOfType, trashObjects, type TrashObject } from './objects.js';
export { trashObjectNames, type TrashObjectName, type TrashEventPayload } from './trash-events.js';
