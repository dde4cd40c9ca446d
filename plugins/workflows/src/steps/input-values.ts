// A step's input values as its core command takes them: a missing or empty value is BAD_USER_INPUT naming the step's key.
import { badInput } from '@crm/plugin-sdk';

export const text = (value: unknown, field: string): string => {
  if (typeof value === 'string' && value.trim()) return value;
  if (typeof value === 'number') return String(value);
  throw badInput(`${field}: needs a value (got ${JSON.stringify(value)})`, field);
};

export const id = (value: unknown, field: string): string => {
  if (typeof value === 'string' && value) return value;
  throw badInput(`${field}: needs an id (got ${JSON.stringify(value)})`, field);
};

export const optional = <T>(value: unknown, as: (v: unknown) => T): T | undefined => (value === null || value === undefined || value === '' ? undefined : as(value));
