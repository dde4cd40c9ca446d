// Rotating a workflow's two secrets apart (permission `manage`): its webhook URL's token and the signing secret of its
// outgoing HTTP requests. The old value is refused from the commit on (no grace period: rotate after a leak).
import type { Builder, Models } from '@crm/plugin-sdk';
import { newHookToken, newSigningSecret } from '../workflow-secrets.js';
import { workflowIn } from './definition-mutations.js';
import type { WorkflowToolkit } from './toolkit.js';

const rotations = {
  rotateWorkflowWebhookUrl: {
    secret: 'webhookUrl',
    description: 'Replaces the token of the workflow’s webhook URL (webhookPath): the old URL is refused (404) at once (ADMIN).',
    data: () => ({ hookToken: newHookToken() }),
  },
  rotateWorkflowSigningSecret: {
    secret: 'signingSecret',
    description: 'Replaces the secret that signs the workflow’s HTTP requests (signingSecret): later requests are signed with the new one only (ADMIN).',
    data: () => ({ secret: newSigningSecret() }),
  },
} as const;

export function registerSecretMutations(builder: Builder, plugin: WorkflowToolkit) {
  for (const [name, rotation] of Object.entries(rotations)) {
    const Name = name[0]!.toUpperCase() + name.slice(1);
    const Payload = builder
      .objectRef<{ workflow: Models.Workflow }>(`${Name}Payload`)
      .implement({ fields: (t) => ({ workflow: t.prismaField({ type: 'Workflow', resolve: (_query, p) => p.workflow }) }) });
    builder.mutationField(name, (t) =>
      t.field({
        type: Payload,
        description: rotation.description,
        args: { input: t.arg({ type: builder.inputType(`${Name}Input`, { fields: (f) => ({ id: f.id({ required: true }) }) }), required: true }) },
        resolve: (_root, { input }, context) =>
          plugin.run(context, 'manage', async (scope) => {
            const current = await workflowIn(scope, String(input.id));
            const workflow = await scope.tx.workflow.update({ where: { id: current.id }, data: rotation.data() });
            scope.emit('workflow.secret_rotated', { type: 'Workflow', id: workflow.id }, { secret: rotation.secret });
            return { workflow };
          }),
      }),
    );
  }
}
