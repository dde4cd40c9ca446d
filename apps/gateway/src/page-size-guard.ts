import { MAX_PAGE_SIZE } from '@crm/graph';
import { type ArgumentNode, type DocumentNode, type GraphQLError, Kind, type ValueNode, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { requestError } from './request-error.js';

function valueOf(node: ValueNode, variables: Record<string, unknown> | undefined): unknown {
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) return variables?.[node.name.value];
  return undefined;
}

/** Yoga caches parsed documents, so a document's `first`/`last` arguments are found once, not on every request. */
const pageSizeArguments = new WeakMap<DocumentNode, readonly ArgumentNode[]>();

function pageSizeArgumentsOf(document: DocumentNode): readonly ArgumentNode[] {
  let found = pageSizeArguments.get(document);
  if (!found) {
    const nodes: ArgumentNode[] = [];
    visit(document, {
      Argument(node: ArgumentNode) {
        if (node.name.value === 'first' || node.name.value === 'last') nodes.push(node);
      },
    });
    found = nodes;
    pageSizeArguments.set(document, found);
  }
  return found;
}

/**
 * Rejects `first`/`last` above {@link MAX_PAGE_SIZE} (or below 0) on any field, core or plugin, before execution,
 * with BAD_USER_INPUT naming the argument. Silently returning fewer rows than asked would hide a client bug.
 */
export function usePageSizeGuard(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const variables = args.variableValues ?? undefined;
      let error: GraphQLError | undefined;
      for (const node of pageSizeArgumentsOf(args.document)) {
        const value = valueOf(node.value, variables);
        if (typeof value !== 'number' || (value >= 0 && value <= MAX_PAGE_SIZE)) continue;
        error = requestError(`${node.name.value} must be between 0 and ${MAX_PAGE_SIZE}`, 'BAD_USER_INPUT', { nodes: [node], field: node.name.value });
        break;
      }
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
