import { createHash } from 'node:crypto';
import { badInput } from '../../errors.js';
import { MONEY_PATTERN } from '../../money.js';
import { fields } from '../../validation.js';
import { MAX_LINE_QUANTITY } from '../orders.js';
import { CsvError, parseCsv } from './csv.js';

/** A row the import could not take, by its line in the file. */
export interface ImportRowError {
  line: number;
  /** The column at fault, when one is. */
  field?: string;
  message: string;
}

/** How a row names its customer: an email (contains "@") or the customer's reference in the source system. */
export type CustomerKey = { email: string; externalRef?: undefined } | { email?: undefined; externalRef: string };

export interface ImportLine {
  sku: string;
  quantity: number;
  totalCents: number;
}

/** One order of the file: its rows with the same `orderRef` (or one row without one) are its lines. */
export interface ImportOrder {
  orderRef: string;
  customer: CustomerKey;
  orderedAt: Date;
  totalCents: number;
  lines: ImportLine[];
  /** Line of the file the order starts on. */
  line: number;
  /** Index of its first data row (0-based), which decides its batch. */
  row: number;
}

export interface ParsedOrderFile {
  orders: ImportOrder[];
  errors: ImportRowError[];
  /** Data row indexes (0-based) with an error, or holding the start of an order that has a bad row elsewhere. */
  badRows: Set<number>;
  /** Data rows read (the header not counted). */
  rows: number;
}

const REQUIRED = ['customer', 'orderedAt', 'total'] as const;
const OPTIONAL = ['sku', 'quantity', 'orderRef'] as const;
type Column = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];

/** The largest amount a numeric(14,2) column holds, in cents. */
const MAX_CENTS = 99_999_999_999_999;
const DAY_MS = 86_400_000;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;

/**
 * `YYYYMMDD` or ISO-8601 (`2026-03-01`, `2026-03-01T14:30:00Z`, `…+02:00`); a date or a time without a zone is
 * UTC. Null when not a real date (2026-02-30 is refused, not rolled over).
 */
export function parseOrderDate(text: string): Date | null {
  const match = COMPACT.exec(text) ?? ISO.exec(text);
  if (!match) return null;
  const [, y, m, d, hh, mm, ss, zone] = match;
  const day = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (day.getUTCFullYear() !== Number(y) || day.getUTCMonth() !== Number(m) - 1 || day.getUTCDate() !== Number(d) || Number(y) < 1900) return null;
  if (hh === undefined) return day;
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss ?? 0) > 59) return null;
  const iso = `${y}-${m}-${d}T${hh}:${mm}:${ss ?? '00'}${text.match(/\.\d+/)?.[0] ?? ''}${zone ?? 'Z'}`;
  const at = new Date(iso.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(at.getTime()) ? null : at;
}

/** Cents from a decimal string with up to two decimals ("12", "12.5", "12.50"); null when it is not one. */
function cents(text: string): number | null {
  if (!MONEY_PATTERN.test(text) || text.startsWith('-')) return null;
  const [whole, fraction = ''] = text.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/**
 * Reads an order file: checks the header, validates every row and groups rows into orders. A row without an
 * `orderRef` gets one derived from its content and how many identical rows came before it, so that importing the
 * same file again finds the same orders (idempotent) while two identical purchases in one file stay two orders.
 */
export function readOrderFile(csv: string): ParsedOrderFile {
  const records = parseCsv(csv);
  let header: { line: number; fields: string[] } | undefined;
  try {
    header = records.next().value ?? undefined;
  } catch (error) {
    if (error instanceof CsvError) throw badInput(`csv: ${error.message}`, 'csv');
    throw error;
  }
  if (!header) throw badInput('csv: the file is empty (it needs a header row: customer,orderedAt,total[,sku,quantity,orderRef])', 'csv');
  const index = new Map<Column, number>();
  header.fields.forEach((name, i) => {
    const column = [...REQUIRED, ...OPTIONAL].find((c) => c.toLowerCase() === name.trim().toLowerCase());
    if (column) index.set(column, i);
  });
  const missing = REQUIRED.filter((c) => !index.has(c));
  if (missing.length) throw badInput(`csv: the header row lacks the column(s) ${missing.join(', ')} (it has: ${header.fields.join(', ')})`, 'csv');

  const errors: ImportRowError[] = [];
  const orders = new Map<string, ImportOrder>();
  const seen = new Map<string, number>();
  const latest = Date.now() + DAY_MS;
  const badRows = new Set<number>();
  /** orderRefs with a bad row: the whole order is refused, wherever its other rows are. */
  const badRefs = new Set<string>();
  let rows = 0;
  for (;;) {
    let record;
    try {
      const next = records.next();
      if (next.done) break;
      record = next.value;
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      errors.push({ line: error.line, message: error.message.replace(/^line \d+: /, '') });
      badRows.add(rows);
      break; // an unclosed quote swallows the rest of the file: nothing after it can be read reliably
    }
    const row = rows++;
    const { line } = record;
    const value = (column: Column) => {
      const i = index.get(column);
      return i === undefined ? '' : (record.fields[i] ?? '').trim();
    };
    const fail = (field: Column, message: string) => {
      errors.push({ line, field, message });
      badRows.add(row);
      if (value('orderRef')) badRefs.add(value('orderRef'));
    };

    const customerText = value('customer');
    let customer: CustomerKey | null = null;
    if (!customerText) fail('customer', 'Must not be empty');
    else if (customerText.includes('@')) {
      const email = fields.email.safeParse(customerText);
      if (email.success) customer = { email: email.data };
      else fail('customer', `Not a valid email address: "${customerText}"`);
    } else if (customerText.length > 200) fail('customer', 'A customer reference has at most 200 characters');
    else customer = { externalRef: customerText };

    const orderedAt = parseOrderDate(value('orderedAt'));
    if (!orderedAt) fail('orderedAt', `Not a date (ISO-8601 or YYYYMMDD): "${value('orderedAt')}"`);
    else if (orderedAt.getTime() > latest) fail('orderedAt', 'Must not be more than one day in the future');

    const totalCents = cents(value('total'));
    if (totalCents === null) fail('total', `Not an amount (a non-negative decimal with up to 2 decimals, e.g. 12.50): "${value('total')}"`);
    else if (totalCents > MAX_CENTS) fail('total', 'The amount is too large');

    const sku = value('sku');
    if (sku.length > 100) fail('sku', 'At most 100 characters');
    const quantityText = value('quantity');
    const quantity = quantityText === '' ? 1 : Number(quantityText);
    if (!/^\d+$/.test(quantityText || '1') || quantity < 1 || quantity > MAX_LINE_QUANTITY) {
      fail('quantity', `A whole number from 1 to ${MAX_LINE_QUANTITY.toLocaleString('en')}: "${quantityText}"`);
    }
    let orderRef = value('orderRef');
    if (orderRef.length > 200) fail('orderRef', 'At most 200 characters');
    if (badRows.has(row)) continue;

    if (!orderRef) {
      const content = [customerText.toLowerCase(), orderedAt!.toISOString(), totalCents, sku, quantity].join('\u0000');
      const occurrence = (seen.get(content) ?? 0) + 1;
      seen.set(content, occurrence);
      orderRef = `import:${createHash('sha256').update(content).digest('hex').slice(0, 32)}:${occurrence}`;
    }
    const orderLine: ImportLine | null = sku ? { sku, quantity, totalCents: totalCents! } : null;
    const order = orders.get(orderRef);
    if (!order) {
      orders.set(orderRef, { orderRef, customer: customer!, orderedAt: orderedAt!, totalCents: totalCents!, lines: orderLine ? [orderLine] : [], line, row });
      continue;
    }
    // More rows with one orderRef are lines of one order: they must agree on whose and when.
    const sameCustomer = (order.customer.email ?? order.customer.externalRef) === (customer!.email ?? customer!.externalRef);
    if (!sameCustomer || order.orderedAt.getTime() !== orderedAt!.getTime()) {
      fail('orderRef', `Order "${orderRef}" (line ${order.line}) has another customer or date on this line`);
      continue;
    }
    order.totalCents += totalCents!;
    if (order.totalCents > MAX_CENTS) fail('total', 'The order total is too large');
    if (orderLine) order.lines.push(orderLine);
  }
  for (const ref of badRefs) {
    const order = orders.get(ref);
    if (order) badRows.add(order.row);
  }
  return { orders: [...orders.values()].filter((order) => !badRefs.has(order.orderRef)), errors, badRows, rows };
}
