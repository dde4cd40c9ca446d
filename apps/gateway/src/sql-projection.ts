import type { GraphContext, ReadEngine } from '@crm/graph';
import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { describeError, type Logger } from './logger.js';

/** Why an operation went to the resolvers: the engine's reason, or "statement failed". */
export type EngineDeclined = (reason: string) => void;

/**
 * Answers the read operations the read engine compiles (lists, by-id fields and `node` over the declared objects)
 * with its one statement, whose result is the response's `data` already shaped and formatted by PostgreSQL. Runs
 * last, after the query limits, the page-size guard and rate limiting; any other operation, and an unauthenticated
 * one, executes as usual. If the statement fails, the operation falls back to the normal path (and the failure is
 * logged): the engine is an optimisation, never a second source of errors. Each schema (a workspace's, with its custom
 * fields) has its own engine.
 */
export function useSqlProjection(engineOf: (schema: GraphQLSchema) => ReadEngine, logger: Logger, onDeclined: EngineDeclined = () => {}): Plugin<GraphContext> {
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue as GraphContext;
      if (!context.session || !context.db) return;
      const compiled = engineOf(args.schema).compile(
        args.document,
        args.operationName,
        (args.variableValues ?? undefined) as Record<string, unknown> | undefined,
        context.session,
      );
      if (!compiled) return;
      try {
        const rows = await context.db.$queryRawUnsafe<{ data: string }[]>(compiled.sql, ...compiled.params);
        setResultAndStopExecution({ data: JSON.parse(rows[0]!.data) as Record<string, unknown> });
      } catch (error) {
        logger.error('read engine statement failed; executing normally', describeError(error));
        onDeclined('statement failed');
      }
    },
  };
}
