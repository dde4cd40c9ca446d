// Core's event types with the object each one's subject is, at runtime: what code that takes an event type as input
// (a workflow's trigger, a wait for an event) checks it against. `CrmEventMap` (events.ts) is the one list of types;
// the `satisfies` below makes this catalog name every core type of it and no other (a new event without its subject
// here does not compile). Plugins' events are declared with their subject in their own `events`.
import type { CrmEventMap } from './events.js';
import { type TrashEventMap, trashObjectNames } from './services/trash/trash-events.js';

type ListedCoreEvent = Exclude<keyof CrmEventMap, keyof TrashEventMap>;

/** The subject object of each core event (null: subjects of more than one kind). Trash events are added below. */
const listed = {
  'customer.created': 'Customer',
  'customer.updated': 'Customer',
  'customer.merged': 'Customer',
  'customer.personal_data_exported': 'Customer',
  'customer.erased': 'Customer',
  'customer.stage_changed': 'Customer',
  'lead.converted': 'Customer',
  'metadata.changed': null,
  'company.created': 'Company',
  'company.updated': 'Company',
  'company.merged': 'Company',
  'deal.created': 'Deal',
  'deal.updated': 'Deal',
  'deal.stage_changed': 'Deal',
  'deal.won': 'Deal',
  'deal.lost': 'Deal',
  'activity.logged': 'Activity',
  'task.created': 'Task',
  'task.updated': 'Task',
  'task.completed': 'Task',
  'ticket.opened': 'Ticket',
  'ticket.updated': 'Ticket',
  'ticket.closed': 'Ticket',
  'product.created': 'Product',
  'product.updated': 'Product',
  'order.recorded': 'Order',
  'orders.imported': 'OrderImport',
  'clv.model_fitted': 'ClvModel',
  'segment.created': 'Segment',
  'segment.updated': 'Segment',
  'segment.deleted': 'Segment',
  'segment.entered': 'Customer',
  'segment.left': 'Customer',
  'campaign.created': 'Campaign',
  'campaign.response_recorded': 'CampaignResponse',
  'survey.responded': 'SurveyResponse',
  'pipeline.created': 'Pipeline',
  'pipeline.updated': 'Pipeline',
  'stage.updated': 'Stage',
  'user.created': 'User',
  'user.updated': 'User',
  'apikey.created': 'ApiKey',
  'apikey.updated': 'ApiKey',
  'apikey.revoked': 'ApiKey',
  'role.created': 'CustomRole',
  'role.updated': 'CustomRole',
  'role.deleted': 'CustomRole',
  'webhook.created': 'Webhook',
  'webhook.updated': 'Webhook',
  'webhook.deleted': 'Webhook',
  'webhook.disabled': 'Webhook',
} as const satisfies { readonly [K in ListedCoreEvent]: string | null };

const capitalised = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/** Every core event type → the object its subject is (null: more than one kind). Custom objects' events are not here. */
export const coreEventSubjects: ReadonlyMap<string, string | null> = new Map<string, string | null>([
  ...Object.entries(listed),
  ...trashObjectNames.flatMap((object) => (['trashed', 'restored', 'destroyed'] as const).map((action): [string, string] => [`${object}.${action}`, capitalised(object)])),
]);
