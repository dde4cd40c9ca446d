// The actor of a step's changes: events it causes name it (the SDK prefixes the plugin: `plugin:workflows:step:<id>`),
// so triggers can tell a workflow's own changes and a `waitForEvent` its own run's (wait-for-event.ts).
export const stepActor = (stepRunId: string) => `step:${stepRunId}`;
