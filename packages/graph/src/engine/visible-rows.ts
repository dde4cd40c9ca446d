import type { ResolvedObject } from '@crm/core';
import { isTrashable } from '@crm/db';
import { column } from './sql-text.js';

/**
 * The rows of `object` a caller may see, on the row aliased `alias`: its workspace's (`workspace` is the statement's
 * placeholder of the caller's workspace id), and not in the trash (docs/data.md). Every table the engine reads goes
 * through here: tenancy and the trash are applied in this one place.
 */
export function visibleRows(workspace: string, object: Pick<ResolvedObject, 'model'>, alias: string): string {
  const inWorkspace = `${column(alias, 'workspaceId')} = ${workspace}`;
  return isTrashable(object.model) ? `${inWorkspace} AND ${column(alias, 'deletedAt')} IS NULL` : inWorkspace;
}
