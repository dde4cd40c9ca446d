// Rotating a workflow's two secrets apart (permission `manage`): its webhook URL's token and the signing secret of its
// outgoing HTTP requests. The old token is refused from the commit on (rotate after a leak). The old signing secret
// may keep signing beside the new one for a grace period chosen at rotation (as Stripe rolls a webhook secret; our
// own webhooks do the same: two `v1=` in one header), so a receiver not yet given the new one does not answer 401 —
// which the HTTP step takes as a permanent failure — meanwhile. A second rotation drops the older one at once.
import { badInput, type Builder, type Models } from '@crm/plugin-sdk';
import { newHookToken, newSigningSecret } from '../workflow-secrets.js';
import { workflowIn } from './definition-mutations.js';
import type { WorkflowToolkit } from './toolkit.js';

/** The old signing secret's grace period unless the rotation says otherwise: a day. */
export const DEFAULT_GRACE_SECONDS = 24 * 3600;
/** The longest grace period: a week (Stripe's limit). */
export const MAX_GRACE_SECONDS = 7 * 24 * 3600;

/** The signing secret's columns after a rotation at `now` that keeps the old one valid for `graceSeconds`. */
function rolledSecret(current: Models.Workflow, graceSeconds: number, now: Date) {
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > MAX_GRACE_SECONDS) {
    throw badInput(`previousSecretValidForSeconds: a whole number of seconds from 0 (the old secret stops signing at once) to ${MAX_GRACE_SECONDS} (7 days)`, 'previousSecretValidForSeconds');
  }
  const grace = graceSeconds > 0;
  return {
    secret: newSigningSecret(),
    previousSecret: grace ? current.secret : null,
    previousSecretExpiresAt: grace ? new Date(now.getTime() + graceSeconds * 1000) : null,
  };
}

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
        'Replaces the secret that signs the workflow’s HTTP requests (signingSecret). The replaced one keeps signing beside it (two v1= in x-crm-signature) for previousSecretValidForSeconds, so receivers can switch meanwhile (ADMIN).',
      args: {
        input: t.arg({
          type: builder.inputType('RotateWorkflowSigningSecretInput', {
            fields: (f) => ({
              id: f.id({ required: true }),
              previousSecretValidForSeconds: f.int({
                required: false,
                description: `How long the replaced secret still signs, in seconds: 0 (at once: after a leak) to ${MAX_GRACE_SECONDS} (7 days). Default ${DEFAULT_GRACE_SECONDS} (a day).`,
              }),
            }),
          }),
          required: true,
        }),
      },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'manage', async (scope) => {
          const current = await workflowIn(scope, String(input.id));
          const data = rolledSecret(current, input.previousSecretValidForSeconds ?? DEFAULT_GRACE_SECONDS, new Date());
          const workflow = await scope.tx.workflow.update({ where: { id: current.id }, data });
          scope.emit('workflow.secret_rotated', { type: 'Workflow', id: workflow.id }, { secret: 'signingSecret' });
          return { workflow };
        }),
    }),
  );
}
