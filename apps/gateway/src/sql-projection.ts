import type { GraphContext, SqlProjector } from '@crm/graph';
import type { Plugin } from 'graphql-yoga';
import { describeError, type Logger } from './logger.js';

/** Why an operation went to the resolvers: the projector does not answer it, or its statement failed. */
export type ProjectionDeclined = (reason: 'not_projectable' | 'statement_failed') => void;

/**
 * Answers the read operations the SQL projector knows (the hot customer lists) with its one statement, whose
 * result is the response's `data` already shaped and formatted by PostgreSQL. Runs last, after the query limits,
 * the page-size guard and rate limiting; any other operation, and an unauthenticated one, executes as usual. If
 * the statement fails, the operation falls back to the normal path (and the failure is logged): the projection
 * is an optimisation, never a second source of errors.
 */
export function useSqlProjection(projector: SqlProjector, logger: Logger, onDeclined: ProjectionDeclined = () => {}): Plugin<GraphContext> {
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue as GraphContext;
      if (!context.session || !context.db) return;
      const projection = projector.project(
        args.document,
        args.operationName,
        (args.variableValues ?? undefined) as Record<string, unknown> | undefined,
        context.session.workspaceId,
      );
      if (!projection) return onDeclined('not_projectable');
      try {
        const rows = await context.db.$queryRawUnsafe<{ data: string }[]>(projection.sql, ...projection.params);
        setResultAndStopExecution({ data: JSON.parse(rows[0]!.data) as Record<string, unknown> });
      } catch (error) {
        logger.error('sql projection failed; executing normally', describeError(error));
        onDeclined('statement_failed');
      }
    },
  };
}
