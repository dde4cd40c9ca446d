// What each step kind does. Steps that only change the database run inside the step's transaction (the change and
// the step's completion commit together: a crash leaves neither, and the retry is safe). Steps with an effect outside
// (HTTP, email) run between two transactions; after a crash in between they may have happened, so they are retried
// only when idempotent (an HTTP step sends an idempotency key; an email is not retried).
import { type ActingRole, type CoreCommands, type ActionCaller, type OutboundHttp, type RecordObjects, type ScopedTransaction } from '@crm/plugin-sdk';
import { senderDomainProblem } from '../mail/addresses.js';
import type { MailTransport } from '../mail/transport.js';
import type { StepKind } from '../definition/document.js';
import type { StepInput } from './step-input.js';
import { groupedStep } from './grouped-steps.js';
import { buildInput, recordValues } from './command-inputs.js';
import { id } from './input-values.js';
import { sendHttpRequest } from './http-request.js';
import { PermanentStepError } from './step-errors.js';
import { isRecordId } from '../runs/wait-for-event.js';

export interface InternalStepContext {
  tx: ScopedTransaction;
  commands: CoreCommands;
  actions: ActionCaller;
  objects: RecordObjects;
  /** Whose rights every write of a step is bounded by: the publishing key's role and scopes (commands, records, actions). */
  actingAs: ActingRole;
}

export interface ExternalStepContext {
  http: OutboundHttp;
  mail: MailTransport;
  /** Sign its HTTP request (one `v1=` each): the signing secret, and the one it replaced during its grace period. */
  secrets: readonly string[];
  emailFrom: string;
  /** `<runId>:<stepId>`: the same on every try of this step. */
  idempotencyKey: string;
  runId: string;
  workflowId: string;
  stepId: string;
  /** The run's depth in a chain of workflows. */
  depth: number;
}

type Output = Record<string, unknown>;

export { PermanentStepError } from './step-errors.js';

export const internalSteps: Partial<Record<StepKind, (input: StepInput, context: InternalStepContext) => Promise<Output>>> = {
  async updateRecord(input, context) {
    const object = String(input.object ?? '');
    if (!context.objects.writable(object, 'update')) throw new PermanentStepError(`records of ${object || 'this trigger'} cannot be updated`);
    if (input.id === null || input.id === undefined) {
      throw new PermanentStepError(input.relation ? `${String(input.relation)}: the record has none` : 'record' in input ? 'record: the template holds no id' : 'id: the run has no record');
    }
    const values = recordValues(context.objects.catalog.has(object) ? context.objects.catalog.get(object) : null, input.values as Record<string, unknown>);
    if (input.source) {
      // A to-many relation's records: found and changed in one bulk write (the SDK's `updateRelated`), all or none.
      const filter = input.where ? context.objects.parseFilter(object, input.where, 'where') : undefined;
      const ids = await context.objects.updateRelated(String(input.source), id(input.id, 'id'), String(input.relation), values, { as: context.actingAs, filter, max: Number(input.max) });
      return { id: null, ids, count: ids.length, changed: Object.keys(values) };
    }
    const target = id(input.id, 'id');
    if ('record' in input && !isRecordId(target)) throw new PermanentStepError(`record: not a record id: ${JSON.stringify(input.id).slice(0, 100)}`);
    // Through the object's writer (core's command, a plugin object's writer, a custom object's record command): not
    // found as the acting role sees it says only that; one in the trash it could see says so (the SDK's `update`).
    const row = await context.objects.update(object, target, values, { as: context.actingAs });
    return { id: row.id, ids: [row.id], count: 1, changed: Object.keys(values) };
  },
  createTask: (input, context) => groupedStep('createTask', input, context.commands, context.actingAs),
  async createRecord(input, context) {
    const object = String(input.object);
    const target = context.objects.catalog.has(object) ? context.objects.catalog.get(object) : null;
    return context.objects.create(object, recordValues(target, input.values as Record<string, unknown>), { as: context.actingAs });
  },
  async createDeal(input, context) {
    const deal = await context.commands.createDeal(buildInput('createDeal', input), { as: context.actingAs });
    return { id: deal.id, title: deal.title };
  },
  async logActivity(input, context) {
    // Its type and channel as given: the command's schema checks them against core's enums.
    const activity = await context.commands.logActivity(buildInput('logActivity', input), { as: context.actingAs });
    return { id: activity.id };
  },
  addTag: (input, context) => groupedStep('addTag', input, context.commands, context.actingAs),
  removeTag: (input, context) => groupedStep('removeTag', input, context.commands, context.actingAs),
  addToSegment: (input, context) => groupedStep('addToSegment', input, context.commands, context.actingAs),
  removeFromSegment: (input, context) => groupedStep('removeFromSegment', input, context.commands, context.actingAs),
  async callAction(input, context) {
    return context.actions.call(String(input.action), input.input ?? {}, { as: context.actingAs });
  },
};

export interface ExternalStep {
  /** Safe to repeat after a crash left it unfinished. */
  idempotent: boolean;
  /** The longest one send takes (the sender gives up then), when its sender says; the step stays claimed that long. */
  timeoutMs(context: Pick<ExternalStepContext, 'http' | 'mail'>): number | undefined;
  send(input: StepInput, context: ExternalStepContext): Promise<Output>;
}

export const externalSteps: Partial<Record<StepKind, ExternalStep>> = {
  httpRequest: { idempotent: true, timeoutMs: ({ http }) => http.timeoutMs, send: sendHttpRequest },
  sendEmail: {
    idempotent: false,
    timeoutMs: ({ mail }) => mail.timeoutMs,
    async send(input, context) {
      // By the builder publishing checks a plain `to`, `subject` and `text` with (definition/plain-values.ts).
      const { to, subject, text } = buildInput('sendEmail', input);
      // A sender saved before the operator narrowed the allowed domains: fail visibly rather than send as another
      // address than the workspace chose; an ADMIN sets a new emailFrom and retries the run.
      const sender = senderDomainProblem(context.emailFrom);
      if (sender) throw new PermanentStepError(`emailFrom: ${sender}; an ADMIN sets another with updatePluginSettings`);
      return context.mail.send({ from: context.emailFrom, to, subject, text, idempotencyKey: context.idempotencyKey });
    },
  },
};

/** What a dry run reports a step would do, in words a person reads. */
export function describeEffect(kind: StepKind, input: StepInput): string {
  switch (kind) {
    case 'updateRecord': {
      const many = input.source ? ` (each of ${String(input.object)}${input.where ? ` matching ${JSON.stringify(input.where)}` : ''}, at most ${String(input.max)})` : '';
      const which = input.relation ? `the record's ${String(input.relation)}${many}` : 'record' in input ? `the ${String(input.object)} ${String(input.record)}` : 'the record';
      return `update ${which}: ${Object.keys(input.values as object).join(', ')}`;
    }
    case 'createRecord':
      return `create a ${String(input.object)}: ${Object.keys(input.values as object).join(', ')}`;
    case 'createDeal':
      return `create the deal "${String(input.title)}"${input.amount ? ` of ${String(input.amount)}` : ''}`;
    case 'createTask':
      return `create the task "${String(input.title)}"${input.dueAt ? ` due ${String(input.dueAt)}` : ''}`;
    case 'logActivity':
      return `log a ${String(input.type)} activity "${String(input.subject)}"`;
    case 'addTag':
      return `add the tag "${String(input.tag)}"`;
    case 'removeTag':
      return `remove the tag "${String(input.tag)}"`;
    case 'addToSegment':
      return `add the customer to the segment ${String(input.segment)}`;
    case 'removeFromSegment':
      return `remove the customer from the segment ${String(input.segment)}`;
    case 'httpRequest':
      return `${String(input.method ?? 'POST')} a signed request to ${String(input.url)}`;
    case 'sendEmail':
      return `send an email to ${String(input.to)}: "${String(input.subject)}"`;
    case 'wait':
      return `wait until ${String(input.until)}`;
    case 'callAction':
      return `call ${String(input.action)} with ${JSON.stringify(input.input ?? {})}`;
    case 'condition':
    case 'switch':
      return 'test the record';
    case 'forEach':
      return `for each of ${Array.isArray(input.items) ? input.items.length : 0} items: ${String(input.effect ?? '')}`;
    case 'waitForEvent': {
      const where = input.where as { value: string; operator: string; operand?: unknown } | undefined;
      const test = where ? ` where ${where.value} ${where.operator}${where.operand === undefined ? '' : ` ${JSON.stringify(where.operand)}`}` : '';
      return `wait for ${String(input.eventType)} on ${String(input.subjectId)}${test} until ${String(input.until)}`;
    }
  }
}
