import { answerWithEngine, applyShape, type FormRow, type GraphContext, type ReadEngine, rowFormAnswer, rowsSwitchedOff } from '@crm/graph';
import { getOperationAST, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { describeError, type Logger } from './logger.js';

/** Why an operation went to the resolvers: the engine's reason, or "statement failed". */
export type EngineDeclined = (reason: string) => void;

/** The engine's reason for a mutation (`read-engine.ts`), told here without compiling one. */
const NOT_A_QUERY = 'not a query';

/**
 * Answers the read operations the read engine compiles (lists, by-id fields and `node` over the declared objects)
 * with its one statement, whose result is the response's `data` already shaped by PostgreSQL (ids, cursors and instants come raw and are
 * formatted here, `applyShape`). When the
 * engine left some fields to their resolvers (computed and plugin fields), the operation executes over its answer and
 * only those fields run resolvers. An operation reading a plugin's objects where that plugin is switched off executes
 * as usual (its resolvers refuse it). Runs
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
      // A mutation is never the engine's: declined as the engine declines it, without its compile coercing the
      // variables a third time and throwing (a stack trace) on every mutation.
      if (getOperationAST(args.document, args.operationName)?.operation === 'mutation') return onDeclined(NOT_A_QUERY);
      const compiled = engineOf(args.schema).compile(
        args.document,
        args.operationName,
        (args.variableValues ?? undefined) as Record<string, unknown> | undefined,
        context.session,
      );
      if (!compiled) return;
      try {
        const rows = await context.db.$queryRawUnsafe<FormRow[]>(compiled.sql, ...compiled.params);
        if (rowsSwitchedOff(rows)?.length) {
          onDeclined('plugin switched off');
          return;
        }
        // One root list comes as rows of columns (the row form); anything else as one JSON document.
        const data = compiled.rows
          ? rowFormAnswer(rows, compiled.rows, compiled.shape)
          : applyShape(JSON.parse(rows[0]!.data as string) as Record<string, unknown>, compiled.shape);
        if (compiled.partial) answerWithEngine(context, data);
        else setResultAndStopExecution({ data });
      } catch (error) {
        logger.error('read engine statement failed; executing normally', describeError(error));
        onDeclined('statement failed');
      }
    },
  };
}
