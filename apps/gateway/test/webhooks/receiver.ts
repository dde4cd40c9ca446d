// A real HTTP receiver for webhook tests: node:http on 127.0.0.1, a free port, answers chosen per request.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The raw body, exactly as received (what the signature covers). */
  body: string;
  json: { id: string; type: string; occurredAt: string; workspaceId: string; actor: string; subject: { type: string; id: string }; payload: Record<string, unknown> };
  receivedAt: number;
  /** The status this receiver answered with. */
  answered: number;
}

/** Decides the answer to a request: a status, optionally with a body. */
type Answer = number | { status: number; body: string };
export type Responder = (request: Omit<ReceivedRequest, 'answered'>, previous: readonly ReceivedRequest[]) => Answer | Promise<Answer>;

export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** Answers per path (exact); other paths get 200. */
  readonly responders = new Map<string, Responder>();
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<WebhookReceiver> {
    let receiver!: WebhookReceiver;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const received = { path: req.url ?? '/', headers: req.headers, body, json: JSON.parse(body), receivedAt: Date.now() };
        const previous = receiver.requests.filter((r) => r.path === received.path);
        const answer = (await receiver.responders.get(received.path)?.(received, previous)) ?? 200;
        const { status, body: text } = typeof answer === 'number' ? { status: answer, body: 'ok' } : answer;
        receiver.requests.push({ ...received, answered: status });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
        receiver.wake();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver = new WebhookReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return receiver;
  }

  /** Requests to `path`, in arrival order. */
  at(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Waits until `path` has had `count` requests; rejects after `timeoutMs`. */
  async waitFor(path: string, count: number, timeoutMs = 10_000): Promise<ReceivedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.at(path).length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} requests at ${path}, got ${this.at(path).length}: ${this.at(path).map((r) => r.json.type)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.at(path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private wake() {
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/**
 * Verifies `x-crm-signature` the way a receiver would, independently of the gateway's code: any `v1` that equals
 * HMAC-SHA256(secret, "<t>.<raw body>") passes, and `t` must be recent.
 */
export function verifySignature(header: string, body: string, secret: string, toleranceSeconds = 300): boolean {
  const parts = header.split(',').map((part) => part.split('=') as [string, string]);
  const t = Number(parts.find(([key]) => key === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return parts
    .filter(([key]) => key === 'v1')
    .some(([, hex]) => {
      const given = Buffer.from(hex, 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
