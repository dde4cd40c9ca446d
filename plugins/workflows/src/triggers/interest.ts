// The events the `'*'` subscriber needs in a workspace (the SDK's subscriber interest): those an enabled workflow's
// published version is triggered by (its record change, its event type), those a `waitForEvent` step of any version
// may wait for, and the plugin's own settings changes (limits an ADMIN changed release held runs). Every other event —
// in the benchmark, the tags' `customer.updated` and the `task.created` a run's steps cause — is not delivered at all.
//
// Why every version's waits, not the steps waiting now: a step starts waiting in its step transaction, which commits
// no event; an event committed after it must reach it whatever instance delivers it. A version's waits are known from
// the moment it is published (`workflow.published`), before any of its runs can wait, and versions never change.
// So the interest widens only with `workflow.published`, `workflow.switched` and renames (`metadata.changed`: a
// renamed custom object is triggered by its new name); it narrows (a workflow disabled) with them or within 10 s.
import type { EventInterest, RecordInterest, SubscriberInterest } from '@crm/plugin-sdk';
import type { Trigger } from '../definition/document.js';

/** Every trigger's event, wherever the plugin is: an ADMIN's change of limits lets held runs go. */
const ALWAYS = ['plugin.settings_updated'];

export const workflowInterest: SubscriberInterest = {
  changedBy: ['workflow.published', 'workflow.switched', 'metadata.changed'],
  async of({ sql }): Promise<EventInterest> {
    // One statement: the triggers of the versions new runs start on, and every version's awaited event types.
    const rows = await sql<{ trigger: Trigger | null; waits: string[] | null }>`
      SELECT CASE WHEN w.enabled AND w."publishedVersionId" = v.id THEN v."definition" -> 'trigger' END AS "trigger",
             jsonb_path_query_array(v."definition", 'lax $.** ? (@.kind == "waitForEvent").eventType') AS "waits"
      FROM "WorkflowVersion" v JOIN "Workflow" w ON w.id = v."workflowId"
      WHERE (w.enabled AND w."publishedVersionId" = v.id) OR v."definition" @? 'lax $.** ? (@.kind == "waitForEvent")'`;
    const types = new Set(ALWAYS);
    const records: RecordInterest[] = [];
    for (const { trigger, waits } of rows) {
      for (const type of waits ?? []) types.add(type);
      if (trigger?.kind === 'event') types.add(trigger.eventType);
      if (trigger?.kind === 'record') records.push({ object: trigger.object, change: trigger.on });
    }
    return { types: [...types], records };
  },
};
