// Reading a workflow definition (the plugin's JSON document: a trigger and steps) for people. The document's shape is
// the plugin's (plugins/workflows/src/definition/document.ts); here it is read defensively, as JSON from the API.
import type { WorkflowRow } from './documents.js';

type Json = unknown;
type Obj = Record<string, Json>;

export interface StepNode {
  id: string;
  kind: string;
  name?: string;
  /** The step's own settings (title, tag, url, values…), without its nested steps. */
  settings: [string, Json][];
  /** Nested steps by branch: `then`, `else`, a switch's cases, `default`, a loop's `do`, a wait's `onTimeout`. */
  branches: { label: string; steps: StepNode[] }[];
}

export interface ReadableDefinition {
  trigger: string;
  condition: string | null;
  steps: StepNode[];
}

const isObj = (value: Json): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: Json): Json[] => (Array.isArray(value) ? value : []);
const text = (value: Json) => (typeof value === 'string' ? value : JSON.stringify(value));

const OPERATORS: Record<string, string> = {
  eq: '=', ne: '≠', neq: '≠', gt: '>', gte: '≥', lt: '<', lte: '≤', in: 'is one of', notIn: 'is none of',
  contains: 'contains', startsWith: 'starts with', endsWith: 'ends with', has: 'has', hasAny: 'has any of',
  hasAll: 'has all of', isEmpty: 'is empty:', isNull: 'is empty:', some: 'some', every: 'every', none: 'none',
};

/**
 * A condition as a sentence: a filter in the list filter language (`kind = "NPS" and score ≤ 6`, `customer ›
 * orderCount = 2`), or a test of one value (`{{steps.h.output.status}} ≥ 400`, `{{trigger.event.payload.plan}} exists`).
 */
export function describeFilter(filter: Json, path: string[] = []): string {
  if (path.length === 0 && isObj(filter) && typeof filter.operator === 'string' && typeof filter.value === 'string') {
    return filter.operator === 'exists' ? `${filter.value} exists` : `${filter.value} ${OPERATORS[filter.operator] ?? filter.operator} ${text(filter.operand ?? null)}`;
  }
  if (!isObj(filter)) return `${path.join(' › ')} = ${text(filter)}`;
  const parts = Object.entries(filter).map(([key, value]) => {
    if (key === 'and' || key === 'or') return `(${list(value).map((each) => describeFilter(each, path)).join(` ${key} `)})`;
    if (key === 'not') return `not (${describeFilter(value, path)})`;
    if (key in OPERATORS && path.length > 0) {
      const nested = isObj(value) && (key === 'some' || key === 'every' || key === 'none');
      return nested ? `${path.join(' › ')} ${OPERATORS[key]} (${describeFilter(value)})` : `${path.join(' › ')} ${OPERATORS[key]} ${text(value)}`;
    }
    return isObj(value) ? describeFilter(value, [...path, key]) : `${[...path, key].join(' › ')} = ${text(value)}`;
  });
  return parts.join(' and ');
}

const span = (duration: Json) =>
  isObj(duration)
    ? (['days', 'hours', 'minutes', 'seconds'] as const)
        .filter((unit) => typeof duration[unit] === 'number' && duration[unit] !== 0)
        .map((unit) => `${duration[unit] as number} ${duration[unit] === 1 ? unit.slice(0, -1) : unit}`)
        .join(' ')
    : '';

/** The trigger as a sentence. */
export function describeTrigger(trigger: Json): string {
  if (!isObj(trigger)) return 'No trigger yet';
  const object = typeof trigger.object === 'string' ? trigger.object : 'record';
  switch (trigger.kind) {
    case 'record': {
      const fields = list(trigger.fields).map(text);
      const change = [trigger.from !== undefined ? `from ${text(trigger.from)}` : '', trigger.to !== undefined ? `to ${text(trigger.to)}` : ''].filter(Boolean).join(' ');
      return `When a ${object} is ${text(trigger.on)}${fields.length ? ` (only when ${fields.join(', ')} changes${change ? ` ${change}` : ''})` : ''}`;
    }
    case 'event':
      return `When the event ${text(trigger.eventType)} happens${trigger.object ? ` (about a ${object})` : ''}`;
    case 'schedule':
      return `On the schedule “${text(trigger.cron)}” (${text(trigger.timeZone ?? 'UTC')})`;
    case 'manual':
      return `Run by hand on ${object} records`;
    case 'date': {
      const when = trigger.before ? `${span(trigger.before)} before` : trigger.after ? `${span(trigger.after)} after` : 'On';
      return `${when} a ${object}’s ${text(trigger.field)}${trigger.at ? ` at ${text(trigger.at)}` : ''} (${text(trigger.timeZone ?? 'UTC')})`;
    }
    case 'webhook':
      return `When its webhook URL is called (at most ${text(trigger.ratePerMinute ?? 60)} a minute)`;
    default:
      return `Trigger ${text(trigger.kind)}`;
  }
}

/** The keys of a step that hold nested steps, and how each branch is called. */
function branchesOf(step: Obj): StepNode['branches'] {
  switch (step.kind) {
    case 'condition':
      return [
        { label: `If ${describeFilter(step.if)}`, steps: stepsOf(step.then) },
        { label: 'Else', steps: stepsOf(step.else) },
      ];
    case 'switch':
      return [
        ...list(step.cases).filter(isObj).map((c) => ({ label: `Case ${text(c.name)}: ${describeFilter(c.when)}`, steps: stepsOf(c.steps) })),
        { label: 'Otherwise', steps: stepsOf(step.default) },
      ];
    case 'forEach':
      return [{ label: `For each item of ${text(step.items)}`, steps: stepsOf([step.do]) }];
    case 'waitForEvent':
      return [{ label: `If ${span(step.timeout)} pass first`, steps: stepsOf(step.onTimeout) }];
    default:
      return [];
  }
}

const NESTED = new Set(['id', 'kind', 'name', 'if', 'then', 'else', 'cases', 'default', 'do', 'onTimeout']);

function stepsOf(steps: Json): StepNode[] {
  return list(steps)
    .filter(isObj)
    .map((step) => ({
      id: text(step.id),
      kind: text(step.kind),
      name: typeof step.name === 'string' ? step.name : undefined,
      settings: Object.entries(step).filter(([key]) => !NESTED.has(key)),
      branches: branchesOf(step),
    }));
}

/** A definition document as the page shows it: the trigger and its condition in words, the steps as a tree. */
export function readDefinition(definition: Json): ReadableDefinition {
  const document = isObj(definition) ? definition : {};
  const trigger = isObj(document.trigger) ? document.trigger : null;
  return {
    trigger: describeTrigger(trigger),
    condition: trigger && isObj(trigger.condition) ? describeFilter(trigger.condition) : null,
    steps: stepsOf(document.steps),
  };
}

/**
 * Whether the published document says everything the draft says. Publishing stores the checked document, which adds
 * the defaults the draft left out (`timeZone: "UTC"`, `else: []`), so plain equality would call every draft edited.
 */
function covers(published: Json, draft: Json): boolean {
  if (Array.isArray(draft)) return Array.isArray(published) && published.length === draft.length && draft.every((each, i) => covers(published[i], each));
  if (isObj(draft)) return isObj(published) && Object.entries(draft).every(([key, value]) => covers(published[key], value));
  return published === draft;
}

/** "Published v2", "Published v2, draft edited", or "Draft only" (never published). */
export function versionState(workflow: Pick<WorkflowRow, 'draft' | 'publishedVersion'>): string {
  const published = workflow.publishedVersion;
  if (!published) return 'Draft only';
  return covers(published.definition, workflow.draft) ? `Published v${published.number}` : `Published v${published.number}, draft edited`;
}
