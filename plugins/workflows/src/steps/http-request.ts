// The `httpRequest` step: a signed request (any method, the step's headers) through the SDK's outgoing HTTP — the
// gateway's SSRF policy, time limit and no-redirect rule — whose answer's status and bounded body are its output.
// Failures are classed: a refused target (the SSRF policy), a redirect and a 4xx answer are permanent (the same
// request would be answered the same); a 5xx, 408 or 429 answer, a timeout or a connection error is tried again,
// no sooner than the answer's Retry-After (capped at MAX_RETRY_AFTER_MS).
import { HEADER_VALUE, type OutboundAnswer, type OutboundHttp } from '@crm/plugin-sdk';
import { HEADER_VALUE_PROBLEM, type HttpMethod, WORKFLOW_DEPTH_HEADER } from '../definition/document.js';
import { PassingStepError, PermanentStepError } from './step-errors.js';
import type { StepInput } from './step-input.js';

/** The answer's body is kept up to this (more: the output says `truncated`). */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** A Retry-After longer than this is waited for this long. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

export interface HttpStepContext {
  http: OutboundHttp;
  secrets: readonly string[];
  idempotencyKey: string;
  runId: string;
  workflowId: string;
  stepId: string;
  /** The sending run's depth: the request says one more (`WORKFLOW_DEPTH_HEADER`). */
  depth: number;
}

/** A Retry-After header (seconds, or an HTTP date) as milliseconds from `now`, capped; null when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: Date): number | null {
  const value = header?.trim();
  if (!value) return null;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now.getTime();
  return Number.isNaN(ms) ? null : Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}

/** Why an answer that is not a 2xx fails the step: for good, or to be tried again. */
export function httpFailure(answer: OutboundAnswer, now: Date): Error {
  const error = answer.error ?? `HTTP ${answer.status}`;
  if (answer.failure === 'refused') return new PermanentStepError(`The target is refused: ${error}`);
  if (answer.failure) return new PassingStepError(error);
  const status = answer.status ?? 0;
  if (status >= 500 || status === 408 || status === 429) return new PassingStepError(error, retryAfterMs(answer.headers['retry-after'], now));
  return new PermanentStepError(`${error} (not tried again: the same request would get the same answer)`);
}

/** The answer's body as the step outputs it: JSON parsed when the answer says it is JSON; null when a JSON body was cut off. */
export function responseBody(answer: Pick<OutboundAnswer, 'headers' | 'body' | 'truncated'>): unknown {
  const json = /^application\/([\w.-]+\+)?json\b/i.test(answer.headers['content-type'] ?? '');
  if (!json) return answer.body;
  if (answer.truncated || !answer.body.trim()) return null;
  try {
    return JSON.parse(answer.body);
  } catch {
    return answer.body;
  }
}

/**
 * The step's headers once their templates are filled in: one line of Latin-1 text each (HEADER_VALUE; an empty value
 * is left out; another value fails the step for good: it would never be sent). Their
 * names were checked at publish (none of RESERVED_HEADERS); the step's own headers are set after them anyway.
 */
export function stepHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries((headers ?? {}) as Record<string, unknown>)) {
    if (value === null || value === undefined || value === '') continue;
    if (typeof value === 'object') throw new PermanentStepError(`headers.${name}: a header is text (got ${JSON.stringify(value).slice(0, 100)})`);
    const text = String(value);
    if (!HEADER_VALUE.test(text)) throw new PermanentStepError(`headers.${name}: ${HEADER_VALUE_PROBLEM}`); // the value is not shown: it may be a credential
    out[name] = text;
  }
  return out;
}

export async function sendHttpRequest(input: StepInput, context: HttpStepContext): Promise<Record<string, unknown>> {
  const method = (input.method ?? 'POST') as HttpMethod;
  // Every method but GET carries the envelope our webhooks carry: who sent it, and the step's `body` as `data`.
  const body =
    method === 'GET' ? undefined : JSON.stringify({ workflowId: context.workflowId, runId: context.runId, stepId: context.stepId, data: input.body ?? {} });
  const answer = await context.http.request({
    method,
    url: String(input.url),
    ...(body === undefined ? {} : { body }),
    secret: context.secrets,
    headers: { ...stepHeaders(input.headers), ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'idempotency-key': context.idempotencyKey, [WORKFLOW_DEPTH_HEADER]: String(context.depth + 1) },
    maxResponseBytes: MAX_RESPONSE_BYTES,
  });
  if (answer.error !== null) throw httpFailure(answer, new Date());
  return { status: answer.status, body: responseBody(answer), truncated: answer.truncated };
}
