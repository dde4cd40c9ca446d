// The object model a published version runs with: the declared objects, or — when it names a custom field or object
// (`workspaceModel`, decided at publish) — the workspace's own definitions added to them, read once per transaction
// and access (two statements) and only for such versions.
import type { Models } from '@crm/plugin-sdk';

interface WorkspaceAware<T> {
  inWorkspace(db: object, workspaceId: string): Promise<T>;
}

const loaded = new WeakMap<object, WeakMap<object, Promise<unknown>>>();

export function versionObjects<T extends WorkspaceAware<T>>(
  objects: T,
  db: object,
  workspaceId: string,
  version: Pick<Models.WorkflowVersion, 'workspaceModel'>,
): Promise<T> {
  if (!version.workspaceModel) return Promise.resolve(objects);
  let byAccess = loaded.get(db);
  if (!byAccess) loaded.set(db, (byAccess = new WeakMap()));
  let found = byAccess.get(objects) as Promise<T> | undefined;
  if (!found) byAccess.set(objects, (found = objects.inWorkspace(db, workspaceId)));
  return found;
}
