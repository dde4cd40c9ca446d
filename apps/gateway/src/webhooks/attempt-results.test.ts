import { describe, expect, it } from 'vitest';
import { type AttemptResult, streakChanges } from './attempt-results.js';

const result = (webhookId: string, ok: boolean): AttemptResult => ({
  deliveryId: crypto.randomUUID(), webhookId, ok, status: ok ? 200 : 500, error: ok ? null : 'HTTP 500', durationMs: 1, retryInMs: null,
});

describe('failure streaks of a batch of results', () => {
  it('count only the failures after a webhook’s last success', () => {
    const changes = streakChanges([result('a', false), result('a', true), result('a', false), result('b', false), result('b', false), result('c', true)]);
    expect(Object.fromEntries(changes)).toEqual({
      a: { reset: true, failures: 1 },
      b: { reset: false, failures: 2 },
      c: { reset: true, failures: 0 },
    });
  });
});
