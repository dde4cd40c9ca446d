// The actor of a step's changes: events it causes name it (the SDK prefixes the plugin: `plugin:workflows:step:<id>`),
// so triggers can tell a workflow's own changes and a `waitForEvent` its own run's (wait-for-event.ts).
export const stepActor = (stepRunId: string) => `step:${stepRunId}`;
/**
 * The actor of a claimed batch's transaction (claimed-batch.ts `batchTransaction`), whose steps act as themselves. An
 * event it signs with a step's chain (`causedBy`) is a change several steps shared — the core's segment membership
 * events when two runs' steps touched one customer — so no workflow's own change, at that chain's depth.
 */
export const BATCH_ACTOR = 'steps';
