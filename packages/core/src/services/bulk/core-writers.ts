// The core objects' writers: each is the object's single-record commands, run inside the bulk command's transaction
// (callerIn), so validation, references, role checks, hooks and events are exactly the single commands'.
import type { z } from 'zod';
import type { CommandScope } from '../../command.js';
import type { ObjectWriter } from '../../objects/writer.js';
import { logActivity, logActivityInput } from '../activities.js';
import { createActivityBatch } from '../activities-batch.js';
import { companyUpdate, createCompany, createCompanyInput, updateCompany, updateCompanyInput } from '../companies.js';
import { createCompanyBatch } from '../companies-batch.js';
import { createCustomer, createCustomerInput, updateCustomer, updateCustomerInput } from '../customers.js';
import { createCustomerBatch, updateCustomerBatch } from '../customers-batch.js';
import { Task } from '../../objects/core/collaboration.js';
import { Product } from '../../objects/core/commerce.js';
import { Company } from '../../objects/core/contacts.js';
import { Deal } from '../../objects/core/sales.js';
import { Ticket } from '../../objects/core/service.js';
import { createDeal, createDealInput, dealUpdate, updateDeal, updateDealInput } from '../deals.js';
import { createProduct, createProductInput, productUpdate, updateProduct, updateProductInput } from '../products.js';
import { createProductBatch } from '../products-batch.js';
import { createTask, createTaskInput } from '../task-creation.js';
import { taskUpdate, updateTask, updateTaskInput } from '../tasks.js';
import { createTicket, createTicketInput, ticketUpdate, updateTicket, updateTicketInput } from '../tickets.js';
import { createTicketBatch } from '../tickets-batch.js';
import { callerIn } from './caller-in.js';
import { declaredUpdateBatch } from './declared-update-batch.js';

type Input = Record<string, unknown>;
type Command<R> = (caller: ReturnType<typeof callerIn>, input: never) => Promise<R>;

/** A unique key's value as the create command would store it: parsed by that field's own schema. */
const keyBySchema = (schema: z.ZodObject): ObjectWriter['key'] => (field, value) => {
  const parsed = (schema.shape as Record<string, z.ZodType>)[field]?.safeParse(value);
  return parsed?.success && parsed.data != null ? { column: field, value: parsed.data } : null;
};

function writer<C extends { id: string }, U>(options: {
  create: Command<C>;
  update?: Command<U>;
  /** What `create` parses its input with: its unique keys' rule, and each field's for checks ahead (`inputs`). */
  createSchema?: z.ZodObject;
  /** What `update` parses its patch with. */
  updateSchema?: z.ZodObject;
  /** Whether the create schema's fields make unique keys (`key`). @default true */
  keys?: boolean;
  /** The record id in what `update` returns. @default the result's `id` */
  updatedId?: (result: U) => string;
}): ObjectWriter {
  const { create, update, createSchema, updateSchema, keys = true, updatedId = (result: U) => (result as { id: string }).id } = options;
  return {
    create: (scope: CommandScope, input: Input) => create(callerIn(scope), input as never),
    ...(update ? { update: async (scope: CommandScope, id: string, patch: Input) => ({ id: updatedId(await update(callerIn(scope), { ...patch, id } as never)) }) } : {}),
    ...(createSchema && keys ? { key: keyBySchema(createSchema) } : {}),
    inputs: { ...(createSchema ? { create: createSchema } : {}), ...(updateSchema ? { update: updateSchema } : {}) },
  };
}

/** By declared object name. Objects without one (orders, users, pipelines, …) have their own dedicated commands. */
export const coreWriters: Readonly<Record<string, ObjectWriter>> = {
  // Customers, companies, products (and tickets and activities, created) also write whole batches in a few statements
  // (imports of 100,000 rows; *-batch.ts). Companies', products', deals', tasks' and tickets' updates: the declared
  // batch writer. Customers keep their own (tags, the search vector and the lifecycle's follow-up rows, customers-batch.ts).
  Customer: { ...writer({ create: createCustomer, update: updateCustomer, createSchema: createCustomerInput, updateSchema: updateCustomerInput }), createBatch: createCustomerBatch, updateBatch: updateCustomerBatch },
  Company: { ...writer({ create: createCompany, update: updateCompany, createSchema: createCompanyInput, updateSchema: updateCompanyInput }), createBatch: createCompanyBatch, updateBatch: declaredUpdateBatch(Company, companyUpdate) },
  Product: { ...writer({ create: createProduct, update: updateProduct, createSchema: createProductInput, updateSchema: updateProductInput }), createBatch: createProductBatch, updateBatch: declaredUpdateBatch(Product, productUpdate) },
  Deal: { ...writer({ create: createDeal, update: updateDeal, createSchema: createDealInput, updateSchema: updateDealInput }), updateBatch: declaredUpdateBatch(Deal, dealUpdate) },
  // Tasks, tickets and activities have no unique keys: their schemas are for checks ahead only.
  Task: {
    ...writer({ create: createTask, update: updateTask, createSchema: createTaskInput, updateSchema: updateTaskInput, keys: false }),
    updateBatch: declaredUpdateBatch(Task, taskUpdate),
  },
  Ticket: {
    ...writer({ create: createTicket, update: updateTicket, createSchema: createTicketInput, updateSchema: updateTicketInput, keys: false, updatedId: (result) => result.ticket.id }),
    createBatch: createTicketBatch,
    updateBatch: declaredUpdateBatch(Ticket, ticketUpdate),
  },
  Activity: { ...writer({ create: logActivity, createSchema: logActivityInput, keys: false }), createBatch: createActivityBatch },
};
