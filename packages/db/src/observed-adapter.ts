import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, Transaction } from '@prisma/driver-adapter-utils';

/**
 * Runs around every SQL statement Prisma sends (tracing wraps each in a span). It must call `run` exactly once and
 * return its result.
 */
export type SqlStatementObserver = <T>(statement: { sql: string; kind: 'query' | 'execute' }, run: () => Promise<T>) => Promise<T>;

/** Wraps `queryRaw`/`executeRaw` of an adapter or transaction; everything else passes through untouched. */
function observeQueryable<T extends SqlDriverAdapter | Transaction>(target: T, observe: SqlStatementObserver): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      if (property === 'queryRaw' || property === 'executeRaw') {
        const kind = property === 'queryRaw' ? 'query' : 'execute';
        return (query: SqlQuery) => observe({ sql: query.sql, kind }, () => value.call(object, query));
      }
      if (property === 'startTransaction') {
        return async (...args: unknown[]) => observeQueryable((await value.apply(object, args)) as Transaction, observe);
      }
      return value.bind(object);
    },
  });
}

/** The factory, with every connection it makes (and their transactions) observed statement by statement. */
export function observeAdapter(factory: SqlDriverAdapterFactory, observe: SqlStatementObserver): SqlDriverAdapterFactory {
  return new Proxy(factory, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (property === 'connect' && typeof value === 'function') {
        return async () => observeQueryable((await value.call(object)) as SqlDriverAdapter, observe);
      }
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}
