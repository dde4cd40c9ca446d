// What each step kind does. Steps that only change the database run inside the step's transaction (the change and
// the step's completion commit together: a crash leaves neither, and the retry is safe). Steps with an effect outside
// (HTTP, email) run between two transactions; after a crash in between they may have happened, so they are retried
// only when idempotent (an HTTP step sends an idempotency key; an email is not retried).
import { type ActingRole, type CoreCommands, type ActionCaller, type OutboundHttp, type RecordObjects, type ScopedTransaction } from '@crm/plugin-sdk';
import { emailAddressProblem, senderDomainProblem } from '../mail/addresses.js';
import type { MailTransport } from '../mail/transport.js';
import type { StepKind } from '../definition/document.js';
import type { StepInput } from './step-input.js';
import { groupedStep } from './grouped-steps.js';
import { id, optional, text } from './input-values.js';
import { sendHttpRequest } from './http-request.js';
import { PermanentStepError } from './step-errors.js';

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
    if (input.id === null || input.id === undefined) throw new PermanentStepError(`${input.relation ? `${String(input.relation)}: the record has none` : 'id: the run has no record'}`);
    const values = input.values as Record<string, unknown>;
    // Through the object's writer (core's command, a plugin object's writer, a custom object's record command).
    const row = await context.objects.update(object, id(input.id, 'id'), values, { as: context.actingAs });
    return { id: row.id, changed: Object.keys(values) };
  },
  createTask: (input, context) => groupedStep('createTask', input, context.commands, context.actingAs),
  async createRecord(input, context) {
    return context.objects.create(String(input.object), input.values as Record<string, unknown>, { as: context.actingAs });
  },
  async createDeal(input, context) {
    const deal = await context.commands.createDeal({
      title: text(input.title, 'title'),
      customerId: id(input.customerId, 'customerId'),
      amount: optional(input.amount, String),
      pipelineId: optional(input.pipelineId, String),
      stageId: optional(input.stageId, String),
      ownerId: optional(input.ownerId, String),
      expectedCloseAt: optional(input.expectedCloseAt, (v) => new Date(String(v))),
    }, { as: context.actingAs });
    return { id: deal.id, title: deal.title };
  },
  async logActivity(input, context) {
    const activity = await context.commands.logActivity({
      customerId: id(input.customerId, 'customerId'),
      type: input.type as never,
      channel: input.channel as never,
      subject: text(input.subject, 'subject'),
      body: optional(input.body, String),
    }, { as: context.actingAs });
    return { id: activity.id };
  },
  addTag: (input, context) => groupedStep('addTag', input, context.commands, context.actingAs),
  removeTag: (input, context) => groupedStep('removeTag', input, context.commands, context.actingAs),
  async callAction(input, context) {
    return context.actions.call(String(input.action), input.input ?? {}, { as: context.actingAs });
  },
};

export interface ExternalStep {
  /** Safe to repeat after a crash left it unfinished. */
  idempotent: boolean;
  send(input: StepInput, context: ExternalStepContext): Promise<Output>;
}

export const externalSteps: Partial<Record<StepKind, ExternalStep>> = {
  httpRequest: { idempotent: true, send: sendHttpRequest },
  sendEmail: {
    idempotent: false,
    async send(input, context) {
      const to = text(input.to, 'to');
      // The rule publishing checks a plain `to` with (definition/plain-values.ts): here a template's value.
      const problem = emailAddressProblem(to);
      if (problem) throw new PermanentStepError(`to: not an email address (${problem}): ${to}`);
      // A sender saved before the operator narrowed the allowed domains: fail visibly rather than send as another
      // address than the workspace chose; an ADMIN sets a new emailFrom and retries the run.
      const sender = senderDomainProblem(context.emailFrom);
      if (sender) throw new PermanentStepError(`emailFrom: ${sender}; an ADMIN sets another with updatePluginSettings`);
      return context.mail.send({ from: context.emailFrom, to, subject: text(input.subject, 'subject'), text: text(input.text, 'text'), idempotencyKey: context.idempotencyKey });
    },
  },
};

/** What a dry run reports a step would do, in words a person reads. */
export function describeEffect(kind: StepKind, input: StepInput): string {
  switch (kind) {
    case 'updateRecord':
      return `update ${input.relation ? `the record's ${String(input.relation)}` : 'the record'}: ${Object.keys(input.values as object).join(', ')}`;
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
    case 'waitForEvent':
      return `wait for ${String(input.eventType)} on ${String(input.subjectId)} until ${String(input.until)}`;
  }
}
