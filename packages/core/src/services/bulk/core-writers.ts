// The core objects' writers: each is the object's single-record commands, run inside the bulk command's transaction
// (callerIn), so validation, references, role checks, hooks and events are exactly the single commands'.
import type { z } from 'zod';
import type { CommandScope } from '../../command.js';
import type { ObjectWriter } from '../../objects/writer.js';
import { logActivity } from '../activities.js';
import { createActivityBatch } from '../activities-batch.js';
import { createCompany, createCompanyInput, updateCompany } from '../companies.js';
import { createCompanyBatch, updateCompanyBatch } from '../companies-batch.js';
import { createCustomer, createCustomerInput, updateCustomer } from '../customers.js';
import { createCustomerBatch, updateCustomerBatch } from '../customers-batch.js';
import { createDeal, createDealInput, updateDeal } from '../deals.js';
import { createProduct, createProductInput, updateProduct } from '../products.js';
import { createProductBatch, updateProductBatch } from '../products-batch.js';
import { createTask } from '../task-creation.js';
import { updateTask } from '../tasks.js';
import { createTicket, updateTicket } from '../tickets.js';
import { createTicketBatch } from '../tickets-batch.js';
import { callerIn } from './caller-in.js';

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
  createSchema?: z.ZodObject;
  /** The record id in what `update` returns. @default the result's `id` */
  updatedId?: (result: U) => string;
}): ObjectWriter {
  const { create, update, createSchema, updatedId = (result: U) => (result as { id: string }).id } = options;
  return {
    create: (scope: CommandScope, input: Input) => create(callerIn(scope), input as never),
    ...(update ? { update: async (scope: CommandScope, id: string, patch: Input) => ({ id: updatedId(await update(callerIn(scope), { ...patch, id } as never)) }) } : {}),
    ...(createSchema ? { key: keyBySchema(createSchema) } : {}),
  };
}

/** By declared object name. Objects without one (orders, users, pipelines, …) have their own dedicated commands. */
export const coreWriters: Readonly<Record<string, ObjectWriter>> = {
  // Customers, companies, products (and tickets and activities, created) also write whole batches in a few statements (imports of 100,000 rows; *-batch.ts).
  Customer: { ...writer({ create: createCustomer, update: updateCustomer, createSchema: createCustomerInput }), createBatch: createCustomerBatch, updateBatch: updateCustomerBatch },
  Company: { ...writer({ create: createCompany, update: updateCompany, createSchema: createCompanyInput }), createBatch: createCompanyBatch, updateBatch: updateCompanyBatch },
  Product: { ...writer({ create: createProduct, update: updateProduct, createSchema: createProductInput }), createBatch: createProductBatch, updateBatch: updateProductBatch },
  Deal: writer({ create: createDeal, update: updateDeal, createSchema: createDealInput }),
  Task: writer({ create: createTask, update: updateTask }),
  Ticket: { ...writer({ create: createTicket, update: updateTicket, updatedId: (result) => result.ticket.id }), createBatch: createTicketBatch },
  Activity: { ...writer({ create: logActivity }), createBatch: createActivityBatch },
};
