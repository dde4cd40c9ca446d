/** How the gateway delivers webhooks. Every field has a default; tests shorten the timings. */
export interface WebhookDeliveryOptions {
  /** Run the delivery worker in this process (instances can share the work; see docs/webhooks.md). @default true */
  worker?: boolean;
  /** Allow loopback, private and link-local targets (development, tests with local receivers). @default false */
  allowPrivateTargets?: boolean;
  /** Delays before each retry, in ms; attempts = retries + 1. @default 10 s × 4ⁿ capped at 24 h, 8 retries (~39 h) */
  retrySchedule?: readonly number[];
  /** Random spread of each retry delay, as a fraction (0.2 = ±20 %). @default 0.2 */
  jitter?: number;
  /** One attempt's time limit (connect, send, answer). @default 10000 */
  timeoutMs?: number;
  /** How often to look for new events and due retries without being woken. @default 1000 */
  pollIntervalMs?: number;
  /** Attempts in flight at once in this process. @default 16 */
  concurrency?: number;
  /** A webhook is disabled after this many failed attempts in a row… @default 20 */
  disableAfterFailures?: number;
  /** …once its failures began at least this long ago. @default 86400000 (24 h) */
  disableAfterFailingForMs?: number;
  /** Delivered and failed deliveries are deleted from the log after this long. @default 2592000000 (30 days) */
  keepDeliveriesForMs?: number;
}

export type ResolvedWebhookDeliveryOptions = Required<WebhookDeliveryOptions>;

/** 10 s, 40 s, 2.7 min, 11 min, 43 min, 2.8 h, 11 h, 24 h. */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = Array.from({ length: 8 }, (_, n) => Math.min(10_000 * 4 ** n, 24 * 3600_000));

export function resolveWebhookOptions(options: WebhookDeliveryOptions = {}): ResolvedWebhookDeliveryOptions {
  return {
    worker: options.worker ?? true,
    allowPrivateTargets: options.allowPrivateTargets ?? false,
    retrySchedule: options.retrySchedule ?? DEFAULT_RETRY_SCHEDULE,
    jitter: options.jitter ?? 0.2,
    timeoutMs: options.timeoutMs ?? 10_000,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    concurrency: options.concurrency ?? 16,
    disableAfterFailures: options.disableAfterFailures ?? 20,
    disableAfterFailingForMs: options.disableAfterFailingForMs ?? 24 * 3600_000,
    keepDeliveriesForMs: options.keepDeliveriesForMs ?? 30 * 24 * 3600_000,
  };
}

const truthy = (value: string | undefined) => ['1', 'true', 'on', 'yes'].includes((value ?? '').trim().toLowerCase());
const falsy = (value: string | undefined) => ['0', 'false', 'off', 'no'].includes((value ?? '').trim().toLowerCase());

/**
 * `CRM_WEBHOOKS_ALLOW_PRIVATE=1` accepts loopback/private targets; `CRM_WEBHOOKS_WORKER=0` keeps this instance from
 * delivering (another instance does).
 */
export function webhookOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): WebhookDeliveryOptions {
  return { allowPrivateTargets: truthy(env.CRM_WEBHOOKS_ALLOW_PRIVATE), worker: !falsy(env.CRM_WEBHOOKS_WORKER) };
}
