import type { Builder } from '../builder.js';
import type { DeclaredObjects } from '../objects/declared-objects.js';
import { callerOf } from '../caller.js';
import { rowId } from '../ids.js';
import type { Enums } from './enums.js';
import { registerSatisfaction } from './satisfaction.js';
import { registerServiceMutations } from './service-mutations.js';

/** Customer service: tickets and satisfaction survey answers. */
export function registerService(builder: Builder, enums: Enums, objects: DeclaredObjects) {
  const TicketNode = objects.register('Ticket');
  const SurveyResponseNode = objects.register('SurveyResponse');

  registerServiceMutations(builder, enums, { Ticket: TicketNode, SurveyResponse: SurveyResponseNode });
  registerSatisfaction(builder);
}

