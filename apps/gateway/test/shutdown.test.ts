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
});
