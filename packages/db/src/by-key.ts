/**
 * The workspace condition of a statement that finds its rows by key (`"id" = ANY($n)`, a join on ids), written as a
 * filter no index can take. Written plainly (`"workspaceId" = $2`), it lets the planner walk the workspace's entries of
 * an index led by `workspaceId` and filter the ids there: while a table has no statistics yet (a fresh database's
 * first minute) it estimates that cheaper than looking the ids up, a prepared statement's generic plan keeps it, and the
 * walk grows with the workspace (9,800 index entries read per statement at 200 workflow runs a second,
 * docs/performance.md, "Session 12"). As a filter the condition still holds every row to the workspace.
 */
export const workspaceFilter = (column: string, value: string): string => `(${column} = ${value}) IS TRUE`;
