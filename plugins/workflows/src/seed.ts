// The demo workspace's workflows, from the product's objectives: a detractor (NPS 6 or less) gets a call from their
// owner within two days; a deal lost to a competitor is noted and sent to marketing's webhook; a customer's second
// purchase enrols them in loyalty with a welcome bonus. Published and enabled, except the webhook one, whose URL the
// workspace must set first.
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
    name: 'Deal lost to a competitor → note + marketing webhook',
    enabled: false,
    definition: documentSchema.parse({
      trigger: { kind: 'event', eventType: 'deal.lost', object: 'Deal', condition: { lostReason: { contains: 'competitor' } } },
      steps: [
        {
          id: 'note',
          kind: 'logActivity',
          type: 'NOTE',
          channel: 'IN_PERSON',
          subject: 'Lost to a competitor: {{trigger.record.title}}',
          body: '{{trigger.record.lostReason}} (amount {{trigger.record.amount}})',
        },
        {
          id: 'tellMarketing',
          kind: 'httpRequest',
          url: 'https://marketing.example.com/hooks/deal-lost',
          body: { deal: '{{trigger.record.title}}', amount: '{{trigger.record.amount}}', reason: '{{trigger.record.lostReason}}', note: '{{steps.note.output.id}}' },
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
