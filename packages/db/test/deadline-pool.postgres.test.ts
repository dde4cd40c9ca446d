// A statement that waits for a pooled connection runs with its own request's deadline. node-postgres' pool hands a
// freed connection to the next waiter inside the callback of the statement that freed it, so without binding, the
// waiter ran in the async context of whichever request created or last used that connection and inherited its
// deadline: long past, its statement was abandoned at once (TIMEOUT under load, jobs crashing the gateway).
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { postgresPool } from '../src/database.js';
import { DeadlineExceededError, withDeadline } from '../src/deadline.js';
import { testPostgresUrl } from '../src/testing/index.js';

describe('the PostgreSQL pool and request deadlines', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = postgresPool({ kind: 'postgres', url: testPostgresUrl(), poolSize: 1 });
    // The pool's only connection is opened by a request whose deadline then passes. The deadline is long enough for a
    // loaded machine to connect within it (100 ms was tripped at load 31); the set-up then waits until it has passed.
    const opening = 2_000;
    const started = Date.now();
    await withDeadline(opening, () => pool.query('SELECT 1'));
    await sleep(opening - (Date.now() - started) + 100);
  });
  afterAll(async () => {
    await pool.end();
  });

  it('a waiter keeps its own deadline, not the one of the request that opened or freed the connection', async () => {
    const holder = withDeadline(5_000, () => pool.query('SELECT pg_sleep(0.2)'));
    const waiterWithDeadline = withDeadline(5_000, () => pool.query<{ one: number }>('SELECT 1 AS one'));
    const waiterWithout = pool.query<{ two: number }>('SELECT 2 AS two');
    await holder;
    expect((await waiterWithDeadline).rows).toEqual([{ one: 1 }]);
    expect((await waiterWithout).rows).toEqual([{ two: 2 }]);
  });

  it('a waiter whose own deadline passes while it waits still fails with the deadline error', async () => {
    const holder = pool.query('SELECT pg_sleep(0.4)');
    const waiter = withDeadline(100, () => pool.query('SELECT 1'));
    await expect(waiter).rejects.toBeInstanceOf(DeadlineExceededError);
    await holder.catch(() => {});
  });
});
