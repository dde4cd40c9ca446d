import { Prisma } from '@crm/db';

/** Money on the wire: a decimal string with at most 2 decimals ("1234.50"). */
export const MONEY_PATTERN = /^-?\d{1,12}(\.\d{1,2})?$/;

export type Money = Prisma.Decimal;

export function toMoney(value: string | number | Prisma.Decimal): Money {
  return new Prisma.Decimal(value);
}

/** Always two decimals: Decimal#toString() would drop trailing zeros ("2501.5"). */
export function formatMoney(value: Prisma.Decimal | string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Prisma.Decimal ? value : new Prisma.Decimal(value)).toFixed(2);
}
