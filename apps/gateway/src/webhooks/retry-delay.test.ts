import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE } from './options.js';
import { retryDelayMs } from './retry-delay.js';

describe('retry delays', () => {
  it('follow the schedule, spread by the jitter, and end with it', () => {
    const schedule = [1000, 4000];
    expect(retryDelayMs(1, schedule, 0.2, () => 0.5)).toBe(1000);
    expect(retryDelayMs(1, schedule, 0.2, () => 0)).toBe(800);
    expect(retryDelayMs(2, schedule, 0.2, () => 1)).toBe(4800);
    expect(retryDelayMs(3, schedule, 0.2)).toBeNull();
  });

  it('back off exponentially by default, capped at a day', () => {
    expect(DEFAULT_RETRY_SCHEDULE.slice(0, 3)).toEqual([10_000, 40_000, 160_000]);
    expect(Math.max(...DEFAULT_RETRY_SCHEDULE)).toBe(24 * 3600_000);
    for (let i = 1; i < DEFAULT_RETRY_SCHEDULE.length; i++) expect(DEFAULT_RETRY_SCHEDULE[i]!).toBeGreaterThan(DEFAULT_RETRY_SCHEDULE[i - 1]!);
  });
});
