// Rotating a workflow's two secrets apart (permission `manage`): its webhook URL's token and the signing secret of its
// outgoing HTTP requests. The old token is refused from the commit on (rotate after a leak). The old signing secret
// may keep signing beside the new one for `graceSeconds`, exactly as core's rotateWebhookSecret (same argument, same
// default 0, same bounds, same columns: core's rolledSecret), so a receiver not yet given the new one does not answer
// 401 — which the HTTP step takes as a permanent failure — meanwhile. Both read the row under the workflow's lock:
// two concurrent rotations would otherwise both replace the same secret, and the one the first made would be lost.
import { type Builder, MAX_SECRET_GRACE_SECONDS, type Models, parseInput, rolledSecret, secretGraceSeconds, z } from '@crm/plugin-sdk';
import { newHookToken, newSigningSecret } from '../workflow-secrets.js';
import { workflowIn, workflowToChange } from './definition-mutations.js';
import type { WorkflowToolkit } from './toolkit.js';

const graceInput = z.object({ graceSeconds: secretGraceSeconds.nullish() });

export function registerSecretMutations(builder: Builder, plugin: WorkflowToolkit) {
  // The URL token: no grace (an old URL is a leaked credential, or it would not be rotated).
  const UrlPayload = builder.objectRef<{ workflow: Models.Workflow }>('RotateWorkflowWebhookUrlPayload').implement({
    fields: (t) => ({ workflow: t.prismaField({ type: 'Workflow', resolve: (_query, p) => p.workflow }) }),
  });
  builder.mutationField('rotateWorkflowWebhookUrl', (t) =>
    t.field({
      type: UrlPayload,
      description: 'Replaces the token of the workflow’s webhook URL (webhookPath): the old URL is refused (404) at once (ADMIN).',
      args: { input: t.arg({ type: builder.inputType('RotateWorkflowWebhookUrlInput', { fields: (f) => ({ id: f.id({ required: true }) }) }), required: true }) },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'manage', async (scope) => {
          const current = await workflowIn(scope, String(input.id));
          const workflow = await scope.tx.workflow.update({ where: { id: current.id }, data: { hookToken: newHookToken() } });
          scope.emit('workflow.secret_rotated', { type: 'Workflow', id: workflow.id }, { secret: 'webhookUrl' });
          return { workflow };
        }),
    }),
  );

  const SecretPayload = builder.objectRef<{ workflow: Models.Workflow }>('RotateWorkflowSigningSecretPayload').implement({
    fields: (t) => ({
      workflow: t.prismaField({ type: 'Workflow', resolve: (_query, p) => p.workflow }),
      previousSecretExpiresAt: t.field({
        type: 'DateTime',
        nullable: true,
        description: 'Until when the replaced secret still signs (a second v1= in x-crm-signature); null: it stopped at once.',
        resolve: (p) => p.workflow.previousSecretExpiresAt,
      }),
    }),
  });
  builder.mutationField('rotateWorkflowSigningSecret', (t) =>
    t.field({
      type: SecretPayload,
      description:
        'Replaces the secret that signs the workflow’s HTTP requests (signingSecret). With graceSeconds, the replaced one keeps signing beside it (a second v1= in x-crm-signature, after the new one’s) meanwhile, as rotateWebhookSecret (ADMIN).',
      args: {
        input: t.arg({
          type: builder.inputType('RotateWorkflowSigningSecretInput', {
            fields: (f) => ({
              id: f.id({ required: true }),
              graceSeconds: f.int({
                required: false,
                description: `How long the replaced secret still signs, in seconds: 0 (at once, the default) to ${MAX_SECRET_GRACE_SECONDS} (7 days). Receivers must accept a request when any v1= verifies.`,
              }),
            }),
          }),
          required: true,
        }),
      },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'manage', async (scope) => {
          const { graceSeconds } = parseInput(graceInput, { graceSeconds: input.graceSeconds });
          // Under the lock: the secret read here is the one replaced (kept for the grace), not one another rotation replaced since.
          const current = await workflowToChange(scope, String(input.id));
          const data = rolledSecret(current.secret, newSigningSecret(), graceSeconds ?? 0);
          const workflow = await scope.tx.workflow.update({ where: { id: current.id }, data });
          scope.emit('workflow.secret_rotated', { type: 'Workflow', id: workflow.id }, { secret: 'signingSecret' });
          return { workflow };
        }),
    }),
  );
}
