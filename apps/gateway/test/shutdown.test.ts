import http from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../src/logger.js';
import { startTestGateway } from '../src/testing/index.js';

describe('graceful shutdown', () => {
  it('waits for a request whose client already hung up before the database is closed', async () => {
    const errors: string[] = [];
    const logger: Logger = { info() {}, warn() {}, error: (message, fields) => errors.push(`${message} ${JSON.stringify(fields)}`) };
    let started = false;
    let finished = false;
    const t = await startTestGateway({
      logger,
      // A field that takes a while and then uses the database: it is in flight when the gateway closes.
      extend: [
        (builder) =>
          builder.queryField('slowCount', (f) =>
            f.int({
              resolve: async (_root, _args, ctx) => {
                started = true;
                await new Promise((r) => setTimeout(r, 300));
                const count = await ctx.db!.customer.count();
                finished = true;
                return count;
              },
            }),
          ),
      ],
    });
    const abort = new AbortController();
    const request = fetch(`${t.url}/graphql`, {
      method: 'POST',
      signal: abort.signal,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.workspace.apiKey}` },
      body: JSON.stringify({ query: '{ slowCount }' }),
    }).catch(() => null);
    // Until the resolver runs (a fixed delay was too short on a loaded machine: the request had not arrived yet).
    while (!started) await new Promise((r) => setTimeout(r, 10));
    abort.abort(); // the client hangs up: no connection is left for server.close() to wait on
    await request;
    await t.gateway.close(5000);
    expect(finished).toBe(true);
    await t.close();
    expect(errors).toEqual([]);
  });

  it('closes idle keep-alive connections at once and returns as soon as the last answer is out', async () => {
    let release: () => void = () => {};
    let started = false;
    const t = await startTestGateway({
      extend: [
        (builder) =>
          builder.queryField('heldCount', (f) =>
            f.int({
              resolve: async (_root, _args, ctx) => {
                started = true;
                await new Promise<void>((resolve) => (release = resolve));
                return ctx.db!.customer.count();
              },
            }),
          ),
      ],
    });
    // Two agents, so that the held request does not reuse the idle connection.
    const agents = [new http.Agent({ keepAlive: true }), new http.Agent({ keepAlive: true })];
    const post = (query: string, agent: http.Agent) =>
      new Promise<{ body: string; connection: string | undefined; socket: Socket }>((resolve, reject) => {
        const req = http.request(`${t.url}/graphql`, {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${t.workspace.apiKey}` },
        });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve({ body, connection: res.headers.connection, socket: req.socket as Socket }));
        });
        req.on('error', reject);
        req.end(JSON.stringify({ query }));
      });

    // One connection left idle (kept alive by the agent), one with a request in flight.
    const idle = await post('{ viewer { role } }', agents[0]!);
    expect(idle.connection).toBe('keep-alive');
    const idleClosed = new Promise<void>((resolve) => idle.socket.once('close', () => resolve()));
    const held = post('{ heldCount }', agents[1]!);
    while (!started) await new Promise((r) => setTimeout(r, 10));

    // A grace period far beyond the test's timeout: close() returning at all shows it did not wait for it.
    const closing = t.gateway.close(3_600_000);
    await idleClosed; // closed by the server at once, not at its keep-alive timeout
    release();
    const answer = await held;
    expect(JSON.parse(answer.body)).toEqual({ data: { heldCount: 0 } });
    expect(answer.connection).toBe('close');
    await closing;
    for (const agent of agents) agent.destroy();
    await t.close();
  });
});
