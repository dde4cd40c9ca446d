// A transaction's edges ride with their neighbours (pipelined-transaction-client.ts): its BEGIN with its first statement
// (still a transaction: the first statement is rolled back with the rest), and a read waiting for its COMMIT right
// behind it (command-transaction.ts): one socket write and one wait less at each edge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { type Database, fromPool, postgresPool } from '../src/database.js';
import { CommandTransaction, executeRawIn, queryRawIn } from '../src/command-transaction.js';
import { createTestPostgres, type TestPostgres } from '../src/testing/index.js';

let target: TestPostgres;
let pool: pg.Pool;
let database: Database;
/** Writes the pool's sockets made (a corked batch of messages is one). */
let writes = 0;

beforeAll(async () => {
  target = await createTestPostgres();
  pool = postgresPool({ kind: 'postgres', url: target.url, poolSize: 1 });
  pool.on('connect', (client) => {
    const socket = (client as unknown as { connection: { stream: { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void } } }).connection.stream;
    for (const method of ['_write', '_writev'] as const) {
      const original = socket[method];
      socket[method] = function (this: unknown, ...args: unknown[]) {
        writes++;
        return original.apply(this, args);
      };
    }
  });
  database = fromPool(pool, { preparedStatements: false });
  await database.sql.query(`CREATE TABLE begin_probe (id int PRIMARY KEY)`);
});
afterAll(async () => {
  await database?.close();
  await target?.drop();
});

async function writesDuring(run: () => Promise<unknown>): Promise<number> {
  const before = writes;
  await run();
  return writes - before;
}

describe('BEGIN sent with the first statement', () => {
  it('a Prisma transaction of one statement writes twice: BEGIN with the statement, then COMMIT', async () => {
    const count = await writesDuring(() => database.prisma.$transaction(async (tx) => tx.$executeRawUnsafe(`INSERT INTO begin_probe VALUES (1)`)));
    expect(count).toBe(2);
    expect(await database.sql.query(`SELECT id FROM begin_probe`)).toEqual([{ id: 1 }]);
  });

  it('the first statement is inside the transaction: a later failure rolls it back', async () => {
    const failing = database.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`INSERT INTO begin_probe VALUES (2)`);
      await tx.$executeRawUnsafe(`INSERT INTO begin_probe VALUES (1)`); // duplicate key
    });
    await expect(failing).rejects.toThrow(/Unique constraint|duplicate key/);
    expect(await database.sql.query(`SELECT id FROM begin_probe ORDER BY id`)).toEqual([{ id: 1 }]);
  });

  it('a BEGIN no statement followed is not passed on with the connection', async () => {
    const holder = await pool.connect();
    await holder.query('BEGIN');
    holder.release();
    const next = await pool.connect();
    try {
      await next.query(`INSERT INTO begin_probe VALUES (3)`);
      // Idle, not in a transaction: the insert committed on its own.
      expect((next as unknown as { getTransactionStatus(): string }).getTransactionStatus()).toBe('I');
    } finally {
      next.release();
    }
    expect(await database.sql.query(`SELECT id FROM begin_probe ORDER BY id`)).toEqual([{ id: 1 }, { id: 3 }]);
  });

  it('a held BEGIN and its statement answer the callback form (pg-pool) too', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const rows = await new Promise<unknown[]>((resolve, reject) =>
        client.query(`INSERT INTO begin_probe VALUES (4) RETURNING id`, (error: Error | null, result?: pg.QueryResult) =>
          error ? reject(error) : resolve(result!.rows),
        ),
      );
      expect(rows).toEqual([{ id: 4 }]);
      expect((client as unknown as { getTransactionStatus(): string }).getTransactionStatus()).toBe('T');
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await database.sql.query(`SELECT id FROM begin_probe ORDER BY id`)).toEqual([{ id: 1 }, { id: 3 }]);
  });

  it('a read set for the COMMIT is written with it and sees what the transaction committed', async () => {
    const read = new CommandTransaction();
    const count = await writesDuring(() =>
      read.run(() =>
        database.prisma.$transaction(async (tx) => {
          await tx.$executeRawUnsafe(`INSERT INTO begin_probe VALUES (5)`);
          read.readAfterCommit(`SELECT id FROM begin_probe WHERE id = ANY($1::int[])`, [[5]]);
        }),
      ),
    );
    expect(count).toBe(2); // BEGIN with the insert, COMMIT with the read
    expect(await read.rows).toEqual([{ id: 5 }]);
  });

  it('a transaction that fails before its COMMIT sends no read', async () => {
    const read = new CommandTransaction();
    const failing = read.run(() =>
      database.prisma.$transaction(async (tx) => {
        read.readAfterCommit(`SELECT id FROM begin_probe`, []);
        await tx.$executeRawUnsafe(`INSERT INTO begin_probe VALUES (5)`); // duplicate key
      }),
    );
    await expect(failing).rejects.toThrow(/Unique constraint|duplicate key/);
    expect(read.rows).toBeNull();
  });
});

describe("a command's statements past Prisma's client (command-transaction.ts)", () => {
  it("raw statements go to the transaction's connection, in it, their rows in Prisma's types", async () => {
    const command = new CommandTransaction();
    const rows = await command.run(() =>
      database.prisma.$transaction(async (tx) => {
        command.bind(tx);
        expect(command.direct).toBe(true);
        await queryRawIn(tx, `INSERT INTO begin_probe VALUES (6)`);
        // The same transaction: what it wrote is seen, and types read as Prisma's raw queries read them.
        return queryRawIn<Record<string, unknown>>(
          tx,
          `SELECT count(*) AS n, 2.50::numeric AS money, '2026-12-05'::date AS day, '2026-12-05 10:00:00.5'::timestamp AS at FROM begin_probe WHERE id = $1`,
          6,
        );
      }),
    );
    const fromPrisma = await database.prisma.$queryRawUnsafe<Record<string, unknown>[]>(
      `SELECT count(*) AS n, 2.50::numeric AS money, '2026-12-05'::date AS day, '2026-12-05 10:00:00.5'::timestamp AS at FROM begin_probe WHERE id = $1`,
      6,
    );
    expect(rows).toEqual(fromPrisma);
    expect(rows[0]).toMatchObject({ n: 1n, day: new Date('2026-12-05T00:00:00Z'), at: new Date('2026-12-05T10:00:00.500Z') });
  });

  it('a write riding with the COMMIT is committed with it, in one socket write with the read', async () => {
    const command = new CommandTransaction();
    const count = await writesDuring(() =>
      command.run(() =>
        database.prisma.$transaction(async (tx) => {
          command.bind(tx);
          await queryRawIn(tx, `INSERT INTO begin_probe VALUES (7)`);
          expect(command.writeWithCommit(`INSERT INTO begin_probe VALUES ($1)`, [8])).toBe(true);
          command.readAfterCommit(`SELECT id FROM begin_probe WHERE id = ANY($1::int[]) ORDER BY id`, [[7, 8]]);
        }),
      ),
    );
    expect(count).toBe(2); // BEGIN with the first insert; the second insert, COMMIT and read
    expect(await command.rows).toEqual([{ id: 7 }, { id: 8 }]);
  });

  it('a write riding with the COMMIT that fails fails the COMMIT with its error, and nothing is written', async () => {
    const command = new CommandTransaction();
    const failing = command.run(() =>
      database.prisma.$transaction(async (tx) => {
        command.bind(tx);
        await queryRawIn(tx, `INSERT INTO begin_probe VALUES (9)`);
        command.writeWithCommit(`INSERT INTO begin_probe VALUES ($1)`, [1]); // duplicate key
        command.readAfterCommit(`SELECT id FROM begin_probe WHERE id = 9`, []);
      }),
    );
    // The insert's own error (as Prisma's adapter reports a statement's), not the ROLLBACK the aborted transaction answered.
    await expect(failing).rejects.toMatchObject({ cause: { originalCode: '23505', constraint: { index: 'begin_probe_pkey' } } });
    expect(await command.rows).toEqual([]);
    expect(await database.sql.query(`SELECT id FROM begin_probe WHERE id = 9`)).toEqual([]);
    // The connection is clean for its next holder.
    expect(await database.prisma.$transaction(async (tx) => tx.$queryRawUnsafe(`SELECT 1 AS one`))).toEqual([{ one: 1 }]);
  });
});

describe("a command's raw statements sent without waiting for each other", () => {
  /** Another session holding advisory lock 42 with a row it has not committed yet; `commit()` releases both. */
  async function lockHolder(id: number) {
    const other = new pg.Client({ connectionString: target.url });
    await other.connect();
    await other.query('BEGIN');
    await other.query('SELECT pg_advisory_xact_lock(42)');
    await other.query('INSERT INTO begin_probe VALUES ($1)', [id]);
    return {
      commit: async () => {
        await other.query('COMMIT');
        await other.end();
      },
    };
  }

  it("run in call order, both on the wire at once: a read sent with a lock sees what the lock's last holder committed", async () => {
    const holder = await lockHolder(20);
    const before = writes;
    const command = new CommandTransaction();
    const read = command.run(() =>
      database.prisma.$transaction(async (tx) => {
        command.bind(tx);
        const [, rows] = await Promise.all([executeRawIn(tx, 'SELECT pg_advisory_xact_lock(42)'), queryRawIn(tx, 'SELECT id FROM begin_probe WHERE id = 20')]);
        return rows;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    // While the lock waits, the read is already written behind it (BEGIN with the lock, then the read): no round trip
    // of its own once the lock is granted.
    expect(writes - before).toBe(2);
    await holder.commit();
    // Its snapshot was taken when it started, after the lock: the holder's row is seen.
    expect(await read).toEqual([{ id: 20 }]);
  });

  it("in call order through Prisma's client too (a command's transaction without a connection of its own: PGlite)", async () => {
    const holder = await lockHolder(21);
    const read = database.prisma.$transaction(async (tx) => {
      new CommandTransaction().bind(tx); // outside a command's run: no connection, statements through Prisma's client
      const [, rows] = await Promise.all([executeRawIn(tx, 'SELECT pg_advisory_xact_lock(42)'), queryRawIn(tx, 'SELECT id FROM begin_probe WHERE id = 21')]);
      return rows;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await holder.commit();
    expect(await read).toEqual([{ id: 21 }]);
  });
});

describe("a command's connection after Prisma ended its transaction", () => {
  it('a statement sent then goes through Prisma, which refuses it, never to the connection back in the pool', async () => {
    const command = new CommandTransaction();
    let late: Promise<unknown> = Promise.resolve();
    const expired = command.run(() =>
      database.prisma.$transaction(
        async (tx) => {
          command.bind(tx);
          await queryRawIn(tx, `SELECT 1`);
          await new Promise((resolve) => setTimeout(resolve, 300)); // past the timeout: Prisma rolls back
          late = queryRawIn(tx, `INSERT INTO begin_probe VALUES (10)`);
          await late;
        },
        { timeout: 50 },
      ),
    );
    await expect(expired).rejects.toThrow();
    await expect(late).rejects.toThrow(/Transaction/);
    expect(command.direct).toBe(false);
    expect(await database.sql.query(`SELECT id FROM begin_probe WHERE id = 10`)).toEqual([]);
  });

  it("a statement of a failed attempt, sent while the command's retry runs, never lands in the retry's transaction", async () => {
    // A command retried after a serialization failure runs again on the same CommandTransaction; a branch of the
    // failed attempt still running (Promise.all rejected at once) must not write into the retry.
    const command = new CommandTransaction();
    let first: Parameters<typeof queryRawIn>[0] | null = null;
    const failed = command.run(() =>
      database.prisma.$transaction(async (tx) => {
        command.bind(tx);
        first = tx;
        await queryRawIn(tx, `SELECT 1`);
        throw new Error('could not serialize access');
      }),
    );
    await expect(failed).rejects.toThrow(/serialize/);
    let late: Promise<unknown> = Promise.resolve();
    await command.run(() =>
      database.prisma.$transaction(async (tx) => {
        command.bind(tx);
        late = queryRawIn(first!, `INSERT INTO begin_probe VALUES (11)`);
        await late.catch(() => {});
        await queryRawIn(tx, `INSERT INTO begin_probe VALUES (12)`);
      }),
    );
    await expect(late).rejects.toThrow(/Transaction/);
    expect(await database.sql.query(`SELECT id FROM begin_probe WHERE id IN (11, 12) ORDER BY id`)).toEqual([{ id: 12 }]);
  });
});

describe("a command's statements past Prisma's client keep the database's hooks", () => {
  it('each is logged (onQuery) and observed (observeSql), the write riding with the COMMIT too', async () => {
    const logged: string[] = [];
    const observed: string[] = [];
    const hooked = fromPool(postgresPool({ kind: 'postgres', url: target.url, poolSize: 1 }), {
      preparedStatements: false,
      onQuery: ({ query }) => logged.push(query),
      observeSql: (statement, run) => {
        observed.push(statement.sql);
        return run();
      },
    });
    try {
      const command = new CommandTransaction();
      await command.run(() =>
        hooked.prisma.$transaction(async (tx) => {
          command.bind(tx);
          await queryRawIn(tx, `SELECT id FROM begin_probe WHERE id = $1`, 1);
          command.writeWithCommit(`INSERT INTO begin_probe VALUES ($1)`, [11]);
        }),
      );
      for (const seen of [logged, observed]) {
        expect(seen).toEqual(expect.arrayContaining([`SELECT id FROM begin_probe WHERE id = $1`, `INSERT INTO begin_probe VALUES ($1)`]));
      }
      expect(await database.sql.query(`SELECT id FROM begin_probe WHERE id = 11`)).toEqual([{ id: 11 }]);
    } finally {
      await hooked.close();
    }
  });
});
