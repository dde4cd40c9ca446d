import type { Builder } from '../builder.js';
import type { DeclaredObjects } from '../objects/declared-objects.js';
import { registerCollaborationMutations } from './collaboration-mutations.js';
import type { Enums } from './enums.js';

/** Collaborative CRM: the interaction timeline and the team's tasks. */
export function registerCollaboration(builder: Builder, enums: Enums, objects: DeclaredObjects) {
  objects.register('Activity');
  objects.register('Task');

  registerCollaborationMutations(builder, enums);
}

