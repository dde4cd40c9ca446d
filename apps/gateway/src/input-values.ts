import { type DocumentNode, type StringValueNode, visit, BREAK } from 'graphql';

/** Deepest nesting accepted in a request's variables (input objects, lists and JSON values together). */
export const MAX_VARIABLE_DEPTH = 64;

export interface InputProblem {
  message: string;
  /** Where: a variable's dot path (`input.name`), or absent for a literal in the document. */
  field?: string;
  node?: StringValueNode;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A NUL character (PostgreSQL text cannot hold one) or half of a UTF-16 surrogate pair (no UTF-8 encoding). */
function problemWith(text: string): string | null {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate (not valid Unicode)';
  return null;
}

/**
 * Finds the first string no field can store, in the document's literals or anywhere in the variables (values and
 * object keys), and variables nested deeper than {@link MAX_VARIABLE_DEPTH}. Checked once for every field, core
 * or plugin, before anything runs. Iterative: a variable nested a million levels deep is refused, not a crash.
 */
export function findInputProblem(document: DocumentNode, variables: Record<string, unknown> | null | undefined): InputProblem | null {
  return literalProblemOf(document) ?? variableProblem(variables);
}

/** Yoga caches parsed documents, so the literals of a document are checked once, not on every request. */
const literalProblems = new WeakMap<DocumentNode, InputProblem | null>();

function literalProblemOf(document: DocumentNode): InputProblem | null {
  if (literalProblems.has(document)) return literalProblems.get(document)!;
  let found: InputProblem | null = null;
  visit(document, {
    StringValue(node) {
      const problem = problemWith(node.value);
      if (!problem) return undefined;
      found = { message: `A string ${problem}`, node };
      return BREAK;
    },
  });
  literalProblems.set(document, found);
  return found;
}

function variableProblem(variables: Record<string, unknown> | null | undefined): InputProblem | null {
  const stack: [unknown, string, number][] = Object.entries(variables ?? {}).map(([name, value]) => [value, name, 1]);
  while (stack.length) {
    const [value, path, depth] = stack.pop()!;
    if (typeof value === 'string') {
      const problem = problemWith(value);
      if (problem) return { message: `${path} ${problem}`, field: path };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_VARIABLE_DEPTH) return { message: `${path.split('.')[0]} is nested deeper than ${MAX_VARIABLE_DEPTH} levels`, field: path.split('.')[0] };
    for (const [key, child] of Object.entries(value)) {
      const problem = problemWith(key);
      if (problem) return { message: `A key in ${path} ${problem}`, field: path };
      stack.push([child, `${path}.${key}`, depth + 1]);
    }
  }
  return null;
}
