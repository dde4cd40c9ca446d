// A published version's definition, parsed and planned once per process (versions never change).
import type { Models, ScopedTransaction } from '@crm/plugin-sdk';
import { definition as documentSchema, type WorkflowDefinition } from '../definition/document.js';
import { type Plan, planOf } from '../definition/plan.js';

const cache = new Map<string, { definition: WorkflowDefinition; plan: Plan }>();

export function checkedVersion(version: Pick<Models.WorkflowVersion, 'id' | 'definition'>): { definition: WorkflowDefinition; plan: Plan } {
  let found = cache.get(version.id);
  if (!found) {
    // Checked completely when it was published; parsing again only fills the defaults in.
    const definition = documentSchema.parse(version.definition);
    found = { definition, plan: planOf(definition.steps) };
    if (cache.size > 1000) cache.clear();
    cache.set(version.id, found);
  }
  return found;
}

/**
 * A run's version, planned, by id: read (its definition) only the first time this process meets it, so the steps'
 * reads need not carry the definition along with every claimed step.
 */
export async function versionOf(tx: ScopedTransaction, versionId: string): Promise<{ definition: WorkflowDefinition; plan: Plan }> {
  const cached = cache.get(versionId);
  if (cached) return cached;
  return checkedVersion(await tx.workflowVersion.findUniqueOrThrow({ where: { id: versionId }, select: { id: true, definition: true } }));
}
