// Answers to documents built at run time (custom fields and objects, docs/custom-fields.md) cannot be typed by the
// client, which knows the base schema only: they are checked here before a page reads them, so a surprise is a clear
// error on the page instead of `undefined` deep in a component.

/** A record as those documents select it: its id and the fields asked for. */
export type WorkspaceRecord = Record<string, unknown> & { id: string };

export interface RecordPage {
  totalCount: number;
  hasNextPage: boolean;
  endCursor: string | null;
  records: WorkspaceRecord[];
}

/** The answer did not have the shape its document asks for. */
export class UnexpectedAnswer extends Error {
  constructor(what: string) {
    super(`The gateway's answer has no ${what} of the expected shape. Reload the page (the workspace's fields may have changed).`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `data[field]` as a record, or null when the API says there is none (absent, not visible, in the trash). */
export function recordIn(data: unknown, field: string): WorkspaceRecord | null {
  if (!isObject(data)) throw new UnexpectedAnswer(field);
  const value = data[field];
  if (value === null) return null;
  if (!isObject(value) || typeof value.id !== 'string') throw new UnexpectedAnswer(field);
  return value as WorkspaceRecord;
}

/** `data[field]` as a Relay connection of records (`totalCount`, `pageInfo` and `edges` as far as they were asked). */
export function connectionIn(data: unknown, field: string): RecordPage {
  if (!isObject(data) || !isObject(data[field])) throw new UnexpectedAnswer(field);
  const connection = data[field] as Record<string, unknown>;
  const edges = connection.edges;
  if (!Array.isArray(edges)) throw new UnexpectedAnswer(`${field}.edges`);
  const records = edges.map((edge: unknown) => {
    if (!isObject(edge) || !isObject(edge.node) || typeof edge.node.id !== 'string') throw new UnexpectedAnswer(`${field}.edges.node`);
    return edge.node as WorkspaceRecord;
  });
  const pageInfo = isObject(connection.pageInfo) ? connection.pageInfo : {};
  return {
    totalCount: typeof connection.totalCount === 'number' ? connection.totalCount : records.length,
    hasNextPage: pageInfo.hasNextPage === true,
    endCursor: typeof pageInfo.endCursor === 'string' ? pageInfo.endCursor : null,
    records,
  };
}

/** `data[field]` as a mutation's payload object (`createContract` → `{ contract }`). */
export function payloadIn(data: unknown, field: string): Record<string, unknown> {
  if (!isObject(data) || !isObject(data[field])) throw new UnexpectedAnswer(field);
  return data[field] as Record<string, unknown>;
}
