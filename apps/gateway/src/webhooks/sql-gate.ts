import type { SqlSession } from '@crm/db';

/**
 * A SqlSession that runs at most `limit` statements at once, queueing the rest. The dispatcher shares the
 * database pool with the API: without a gate, a burst of finished attempts could take every connection and make
 * mutations wait for one.
 */
export function gatedSql(sql: SqlSession, limit: number): SqlSession {
  let running = 0;
  const queue: (() => void)[] = [];
  const acquire = (): Promise<void> => {
    if (running < limit) {
      running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => queue.push(resolve));
  };
  const release = () => {
    const next = queue.shift();
    if (next) next(); // the slot passes straight to the next statement
    else running--;
  };
  const gated = async <T>(fn: () => Promise<T>): Promise<T> => {
    await acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  };
  return {
    query: (text, params) => gated(() => sql.query(text, params)),
    exec: (script) => gated(() => sql.exec(script)),
  };
}
