// A published version's definition, parsed and planned once per process. A version that names the workspace's custom
// fields or objects is rewritten when one of them is renamed (definition/renames), possibly by another instance: its
// planned copy is kept only while the stored definition is the same.
import type { ActingRole, Models, ScopedTransaction } from '@crm/plugin-sdk';
import { definition as documentSchema, type WorkflowDefinition } from '../definition/document.js';
import { type Plan, planOf } from '../definition/plan.js';

/** What a version's runs need of it: its definition, planned; its object model; whose rights (role and scopes) its steps write with. */
export interface CheckedVersion {
  id: string;
  definition: WorkflowDefinition;
  plan: Plan;
  /** It names the workspace's custom fields or objects (definition/version-objects.ts). */
  workspaceModel: boolean;
  actingAs: ActingRole;
  /** The stored definition it was planned from (only for `workspaceModel` versions, whose definitions renames rewrite). */
  source?: string;
}

export type VersionRow = Pick<Models.WorkflowVersion, 'id' | 'definition' | 'workspaceModel' | 'actingRole' | 'actingRoleId' | 'actingScopes' | 'actingUserId'>;
const versionColumns = { id: true, definition: true, workspaceModel: true, actingRole: true, actingRoleId: true, actingScopes: true, actingUserId: true } as const;

const cache = new Map<string, CheckedVersion>();

export function checkedVersion(version: VersionRow): CheckedVersion {
  let found = cache.get(version.id);
  const source = version.workspaceModel ? JSON.stringify(version.definition) : undefined;
  if (!found || found.source !== source) {
    // Checked completely when it was published; parsing again only fills the defaults in.
    const definition = documentSchema.parse(version.definition);
    found = {
      id: version.id,
      definition,
      plan: planOf(definition.steps),
      workspaceModel: version.workspaceModel,
      actingAs: { role: version.actingRole, customRoleId: version.actingRoleId, scopes: version.actingScopes, userId: version.actingUserId },
      source,
    };
    if (cache.size > 1000) cache.clear();
    cache.set(version.id, found);
  }
  return found;
}

/**
 * A run's version, planned, by id: a version naming only built-in objects is read (its definition) the first time this
 * process meets it, so the steps' reads need not carry the definition along with every claimed step; one naming custom
 * fields or objects is read each time (another instance may have rewritten it for a rename) and planned again only if
 * its definition changed.
 */
export async function versionOf(tx: ScopedTransaction, versionId: string): Promise<CheckedVersion> {
  const cached = cache.get(versionId);
  if (cached && !cached.workspaceModel) return cached;
  return checkedVersion(await tx.workflowVersion.findUniqueOrThrow({ where: { id: versionId }, select: versionColumns }));
}

/** Drops a version's planned copy: its definition was rewritten (a custom field it names was renamed). */
export function forgetVersion(versionId: string): void {
  cache.delete(versionId);
}
