import { GraphQLError } from 'graphql';

/** Deepest nesting a JSON input may have (objects and arrays). */
export const MAX_JSON_DEPTH = 32;
/** Most values (object members, array items, scalars) a JSON input may hold. */
export const MAX_JSON_VALUES = 10_000;

const invalid = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

/**
 * Accepts a JSON input only when it is bounded: at most {@link MAX_JSON_DEPTH} levels and {@link MAX_JSON_VALUES}
 * values. Deeper values exhaust stacks (ours, the driver's, PostgreSQL's) and are never legitimate attributes or
 * settings. Walks without recursion, so a value nested a million levels deep costs one loop, not a stack overflow.
 */
export function parseJsonValue(value: unknown): unknown {
  const stack: [unknown, number][] = [[value, 1]];
  let count = 0;
  while (stack.length) {
    const [current, depth] = stack.pop()!;
    if (++count > MAX_JSON_VALUES) throw invalid(`JSON value has more than ${MAX_JSON_VALUES} values`);
    if (typeof current === 'number' && !Number.isFinite(current)) throw invalid('JSON numbers must be finite');
    if (current === null || typeof current !== 'object') continue;
    if (depth > MAX_JSON_DEPTH) throw invalid(`JSON value is nested deeper than ${MAX_JSON_DEPTH} levels`);
    for (const child of Array.isArray(current) ? current : Object.values(current)) stack.push([child, depth + 1]);
  }
  return value;
}
