import { describe, expect, it } from 'vitest';
import { gatedSql } from './sql-gate.js';

describe('gatedSql', () => {
  it('runs at most `limit` statements at once and all of them eventually, in order', async () => {
    let running = 0;
    let peak = 0;
    const ran: string[] = [];
    const inner = {
      async query<Row>(text: string): Promise<Row[]> {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        ran.push(text);
        running--;
        return [];
      },
      async exec() {},
    };
    const sql = gatedSql(inner, 2);
    await Promise.all(Array.from({ length: 7 }, (_, i) => sql.query(`q${i}`)));
    expect(peak).toBe(2);
    expect(ran).toEqual(['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6']);
  });

  it('frees the slot when a statement fails', async () => {
    const sql = gatedSql({ query: () => Promise.reject(new Error('boom')), exec: async () => {} }, 1);
    await expect(sql.query('a')).rejects.toThrow('boom');
    await expect(sql.query('b')).rejects.toThrow('boom');
  });
});
