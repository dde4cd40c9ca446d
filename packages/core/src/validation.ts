import { z } from 'zod';
import { badInput } from './errors.js';
import { MONEY_PATTERN } from './money.js';

/**
 * Validates a command's input. The first problem becomes BAD_USER_INPUT with `field` set to its path
 * (`email`, `lines.2.quantity`), so a form can point at the field.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.');
  throw badInput(field ? `${field}: ${issue.message}` : issue.message, field || undefined);
}

const nullish = <T extends z.ZodType>(schema: T) => schema.nullish();
/**
 * An update's field that may be left out but not cleared (a customer's name): null is refused here, in the schema, so
 * whoever checks a value by the schema (a workflow at publish, through the SDK's `checkValue`) refuses it as the write would.
 */
const kept = <T extends z.ZodType>(schema: T) =>
  // Null is taken in (callers pass GraphQL's `String | null`) and refused by the first part: it never reaches `schema`.
  z.custom<z.input<T> | null>((value) => value !== null, 'cannot be removed').pipe(schema as unknown as z.ZodType<z.output<T>, z.input<T> | null>).optional();

export const fields = {
  // Lower-cased once, here: PostgreSQL answers uuids lower-case, and commands look their rows up by the id given.
  id: z.string().uuid({ message: 'Not a valid id' }).toLowerCase(),
  name: z.string().trim().min(1, 'Must not be empty').max(200, 'At most 200 characters'),
  title: z.string().trim().min(1, 'Must not be empty').max(300, 'At most 300 characters'),
  text: z.string().max(20_000, 'At most 20,000 characters'),
  shortText: z.string().trim().max(500, 'At most 500 characters'),
  email: z
    .string()
    .trim()
    .toLowerCase()
    .max(254, 'At most 254 characters')
    .pipe(z.email({ message: 'Not a valid email address' })),
  /** E.164-ish: digits with optional +, spaces, dashes, dots, parentheses; 6 to 15 digits. */
  phone: z
    .string()
    .trim()
    .regex(/^\+?[\d\s().-]+$/, 'Not a valid phone number')
    .refine((v) => {
      const digits = v.replace(/\D/g, '').length;
      return digits >= 6 && digits <= 15;
    }, 'A phone number has 6 to 15 digits'),
  money: z.string().trim().regex(MONEY_PATTERN, 'Money is a decimal string with up to 2 decimals, e.g. "1234.50"'),
  nonNegativeMoney: z
    .string()
    .trim()
    .regex(MONEY_PATTERN, 'Money is a decimal string with up to 2 decimals, e.g. "1234.50"')
    .refine((v) => !v.startsWith('-'), 'Must not be negative'),
  tags: z
    .array(z.string().trim().toLowerCase().min(1, 'A tag must not be empty').max(50, 'A tag has at most 50 characters'))
    .max(50, 'At most 50 tags')
    .transform((tags) => [...new Set(tags)]),
  domain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/, 'Not a valid domain name, e.g. "acme.com"'),
  currency: z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/, 'A currency is an ISO 4217 code, e.g. "USD"'),
  date: z.date(),
  /** A record's id in another system (imports and upserts match on it). */
  externalRef: z.string().trim().min(1, 'Must not be empty').max(200, 'At most 200 characters'),
  url: z.url({ message: 'Not a valid URL' }),
  /** The `updatedAt` a client read: the update fails with CONFLICT if the record changed since (record-lock.ts). */
  expectedUpdatedAt: z.date().nullish(),
  nullish,
  kept,
};

export { z };
