// Incoming webhook triggers: `POST /plugins/workflows/hooks/<workspaceId>/<workflowId>/<token>` with a JSON body
// starts a run of the workflow's published version; the body is the run's `trigger.event.payload`. The URL is the
// credential: its token (`Workflow.hookToken`, 256 random bits, compared in constant time) alone authorizes the call,
// so a sender that can only be given a URL can use it. A sender that can sign may add `x-crm-signature: t=<unix
// seconds>,v1=HMAC-SHA256(token, "<t>.<body>")` (as our webhooks sign; the body's bytes as sent, not its decoded text):
// when the header is there it must verify (any of its `v1=`) and be
// at most 5 minutes old (401 otherwise). Being optional, it protects nothing against a holder of the URL (a captured
// request replays with the header dropped): the URL's secrecy is the protection (the gateway's log and traces show the
// token as `:token`, apps/gateway/src/logged-path.ts). The token is not
// the workflow's signing secret (which signs its outgoing HTTP requests): a receiver of those cannot start it. An
// unknown workflow, another workspace's, a wrong or rotated-out token all answer 404 alike.
// Each workflow takes `ratePerMinute` requests a minute (429 with Retry-After beyond); an `idempotency-key` header
// makes a retried request start no second run (looked up under the workflow's lock: concurrent retries name one run).
// Refused requests are counted per client address by the host (429 past its limit: a guesser of tokens is slowed). The answer (202, `{ runId }`) comes as soon as the run is stored; the
// steps run on the queue.
// A run's depth in a chain of workflows is the request's `x-crm-workflow-depth` (what an `httpRequest` step sends:
// its run's depth plus one; absent or not a small number: 0): a workflow posting to its own URL, or to another's
// that posts back, is cut at the workspace's `maxDepth` like a chain of events — the request past it starts nothing
// (200, `{ runId: null, depthLimitReached: true }`) and `workflow.depth_limit_reached` is emitted. Only a holder of
// the URL can send the header, and it can only make its own chain shorter.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { globalId, type PluginRequest, type PluginResponse, type RouteContext } from '@crm/plugin-sdk';
import { WORKFLOW_DEPTH_HEADER } from '../definition/document.js';
import type { WorkflowEvent } from '../events.js';
import { startRun } from '../runs/start-run.js';
import { checkedVersion } from '../runs/versions.js';
import type { WorkflowSettings } from '../settings.js';

/** `<workflowId>/<token>`: a token is URL-safe text (new ones base64url, those the migration made hex). */
const HOOK_PATH = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/([A-Za-z0-9_-]{32,128})$/;
const SIGNATURE_MAX_AGE_S = 300;
const MINUTE_MS = 60_000;

/** The path of a workflow's webhook URL (relative to the gateway's origin): it holds the token, so it is a secret. */
export const webhookPath = (workflow: { workspaceId: string; id: string; hookToken: string }) =>
  `/plugins/workflows/hooks/${workflow.workspaceId}/${workflow.id}/${workflow.hookToken}`;

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * A signature header, when there is one, verifies with the token and is fresh. The HMAC is of the body's bytes as
 * received: decoding them as UTF-8 and encoding again changes any invalid byte (to U+FFFD), so a sender's signature of
 * a Latin-1 or binary body would not verify. Any of several `v1=` may match (a sender rolling its key sends two).
 */
function signatureHolds(header: string, token: string, body: Buffer, now: Date): boolean {
  const parts = header.split(',').map((p) => p.trim().split('=') as [string, string | undefined]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const signatures = parts.filter(([k, v]) => k === 'v1' && v).map(([, v]) => v!);
  if (!signatures.length || !Number.isInteger(t) || Math.abs(now.getTime() / 1000 - t) > SIGNATURE_MAX_AGE_S) return false;
  const expected = createHmac('sha256', token).update(`${t}.`).update(body).digest('hex');
  return signatures.some((v1) => sameText(v1, expected));
}

/** A request's chain depth: its header's number (bounded: anything else, or more than 99, is 0). */
const depthOf = (header: string | undefined): number => (header !== undefined && /^\d{1,2}$/.test(header.trim()) ? Number(header.trim()) : 0);

const refuse = (status: number, error: string, headers?: Record<string, string>): PluginResponse => ({ status, body: { error }, ...(headers ? { headers } : {}) });

export async function receiveWebhook(request: PluginRequest, context: RouteContext<WorkflowSettings, WorkflowEvent>): Promise<PluginResponse> {
  // An unknown id, another workspace's workflow and a wrong (or rotated-out) token look alike from outside.
  const [, workflowId, token] = HOOK_PATH.exec(request.path) ?? [];
  if (!workflowId || !token) return refuse(404, 'Not found');
  const now = context.now;
  const outcome = await context.transaction(
    async ({ tx, rows, lock, emit, settings }) => {
      const workflow = await tx.workflow.findUnique({ where: { id: workflowId }, select: { id: true, enabled: true, hookToken: true, publishedVersionId: true } });
      if (!workflow || !sameText(token, workflow.hookToken)) return refuse(404, 'Not found');
      const signature = request.headers['x-crm-signature'];
      if (signature !== undefined && !signatureHolds(signature, workflow.hookToken, request.rawBody ?? Buffer.from(request.body), now)) {
        return refuse(401, 'x-crm-signature does not verify (HMAC-SHA256 with the URL token of "<t>.<body>", at most 5 minutes old)');
      }
      const version = workflow.publishedVersionId ? await tx.workflowVersion.findUnique({ where: { id: workflow.publishedVersionId } }) : null;
      const trigger = version ? checkedVersion(version).definition.trigger : null;
      if (!workflow.enabled || !version || trigger?.kind !== 'webhook') return refuse(409, 'The workflow is not enabled with a webhook trigger');
      let payload: unknown;
      try {
        payload = request.body.trim() ? JSON.parse(request.body) : {};
      } catch {
        return refuse(400, 'The body is not JSON');
      }
      const key = request.headers['idempotency-key']?.trim();
      if (key !== undefined && (key.length === 0 || key.length > 200)) return refuse(400, 'idempotency-key: 1 to 200 characters');
      const triggerId = `webhook:${key ?? randomUUID()}`;
      // Under the workflow's lock (until commit), the key's lookup and the run's insert are one step: a concurrent
      // request with the same key waits, then finds the run this one stored (read before the lock, both found none,
      // and the second's insert was skipped as a duplicate: 202 with no run id). The rate is counted under it too.
      await lock(`webhook:${workflow.id}`);
      if (key) {
        const earlier = await tx.workflowRun.findUnique({ where: { versionId_triggerId: { versionId: version.id, triggerId } }, select: { id: true } });
        if (earlier) return { status: 200, body: { runId: globalId('WorkflowRun', earlier.id), duplicate: true } };
      }
      const depth = depthOf(request.headers[WORKFLOW_DEPTH_HEADER]);
      if (depth > settings.maxDepth) {
        console.warn(`workflows: depth limit ${settings.maxDepth} reached in workspace ${request.workspaceId}: a request to the webhook of ${workflow.id} starts no run`);
        emit('workflow.depth_limit_reached', { type: 'Workflow', id: workflow.id }, { maxDepth: settings.maxDepth, eventId: triggerId, eventType: 'webhook.received', workflowIds: [workflow.id] });
        return { status: 200, body: { runId: null, depthLimitReached: true } };
      }
      // The workflow's rate: runs its URL started in the last minute (two instances count alike under the lock).
      const since = new Date(now.getTime() - MINUTE_MS);
      const recent = await tx.workflowRun.findMany({
        where: { workflowId: workflow.id, startedAt: { gt: since }, triggerId: { startsWith: 'webhook:' } },
        select: { startedAt: true },
        orderBy: { startedAt: 'asc' },
        take: trigger.ratePerMinute,
      });
      if (recent.length >= trigger.ratePerMinute) {
        const retryAfter = Math.max(1, Math.ceil((recent[0]!.startedAt.getTime() + MINUTE_MS - now.getTime()) / 1000));
        return refuse(429, `This workflow takes ${trigger.ratePerMinute} requests a minute`, { 'retry-after': String(retryAfter) });
      }
      const eventId = randomUUID();
      const runId = await startRun({ rows }, {
        workflowId: workflow.id,
        version,
        triggerId,
        trigger: {
          event: { id: eventId, type: 'webhook.received', actor: 'webhook', occurredAt: now.toISOString(), subjectType: 'Workflow', subjectId: workflow.id, payload: payload as object },
          record: null,
        },
        recordType: null,
        recordId: null,
        depth,
      });
      return { status: 202, body: { runId: globalId('WorkflowRun', runId!) } };
    },
    { actor: 'webhook' },
  );
  if (outcome.status === 202) context.wake();
  return outcome;
}
