// The demo workspace's workflows, from the product's objectives: a detractor (NPS 6 or less) gets a follow-up task for
// their owner due in two days; a deal lost to a competitor (competitor-feedback's `competitor.deal_lost`) gets a note
// on the competitor's record and is sent to marketing's webhook; a customer's second purchase enrols them in loyalty
// with a welcome bonus. Published and enabled, except the webhook one, whose URL the workspace must set first.
import { newWorkflowSecrets } from './workflow-secrets.js';
import type { SeedContext } from '@crm/plugin-sdk';
import { definition as documentSchema, type WorkflowDefinition } from './definition/document.js';
import { triggerKeyOf } from './definition/validate.js';
import type { WorkflowSettings } from './settings.js';

export const demoWorkflows: { name: string; enabled: boolean; definition: WorkflowDefinition }[] = [
  {
    name: 'Detractor follow-up: NPS 6 or less → call within 2 days',
    enabled: true,
    definition: documentSchema.parse({
      trigger: { kind: 'record', object: 'SurveyResponse', on: 'created', condition: { kind: { eq: 'NPS' }, score: { lte: 6 } } },
      steps: [
        {
          id: 'followUp',
          kind: 'createTask',
          title: 'Call {{trigger.record.customer.name}}: NPS {{trigger.record.score}}',
          notes: 'A detractor: find out what went wrong and what would fix it.',
          dueIn: { days: 2 },
          assigneeId: '{{trigger.record.customer.ownerId}}',
          customerId: '{{trigger.record.customerId}}',
        },
      ],
    }),
  },
  {
    name: 'Deal lost to a competitor → note on the competitor + marketing webhook',
    // Disabled: its webhook needs marketing's URL (set the `tellMarketing` step's url, publish, enable). No URL works out
    // of the box: example.com answers nothing, and the HTTP step's SSRF policy refuses this machine's own addresses.
    enabled: false,
    definition: documentSchema.parse({
      // competitor-feedback's event (markDealLostToCompetitor): its subject, the trigger's record, is the competitor.
      trigger: { kind: 'event', eventType: 'competitor.deal_lost', object: 'Competitor' },
      steps: [
        {
          id: 'note',
          kind: 'callAction',
          action: 'competitor-feedback.recordFeedback',
          input: {
            competitorId: '{{trigger.record.id}}',
            dealId: '{{trigger.event.payload.dealId}}',
            customerId: '{{trigger.event.payload.customerId}}',
            sentiment: 'NEGATIVE',
            note: 'Lost a deal of {{trigger.event.payload.amount}} to {{trigger.record.name}}: {{trigger.event.payload.reason}}',
          },
        },
        {
          id: 'tellMarketing',
          kind: 'httpRequest',
          url: 'https://marketing.example.com/hooks/deal-lost',
          body: {
            competitor: '{{trigger.record.name}}',
            dealId: '{{trigger.event.payload.dealId}}',
            amount: '{{trigger.event.payload.amount}}',
            reason: '{{trigger.event.payload.reason}}',
            feedbackId: '{{steps.note.output.feedbackId}}',
          },
        },
      ],
    }),
  },
  {
    name: 'Second purchase → loyalty welcome bonus',
    enabled: true,
    definition: documentSchema.parse({
      trigger: { kind: 'record', object: 'Order', on: 'created', condition: { customer: { orderCount: { eq: 2 } } } },
      steps: [
        { id: 'welcome', kind: 'callAction', action: 'loyalty.awardPoints', input: { customerId: '{{trigger.record.customerId}}', points: 200, reason: 'Welcome bonus: second purchase' } },
        { id: 'tag', kind: 'addTag', tag: 'loyalty-member' },
      ],
    }),
  },
];

export async function seedWorkflows({ db, workspaceId }: SeedContext<WorkflowSettings>): Promise<void> {
  for (const demo of demoWorkflows) {
    const workflow = await db.workflow.create({ data: { workspaceId, name: demo.name, draft: demo.definition as object, ...newWorkflowSecrets() } });
    const version = await db.workflowVersion.create({
      data: { workspaceId, workflowId: workflow.id, number: 1, definition: demo.definition as object, triggerKey: triggerKeyOf(demo.definition) },
    });
    await db.workflow.update({ where: { id: workflow.id }, data: { publishedVersionId: version.id, enabled: demo.enabled } });
  }
}
