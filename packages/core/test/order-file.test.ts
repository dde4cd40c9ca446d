import { describe, expect, it } from 'vitest';
import { parseCsv } from '../src/services/import/csv.js';
import { parseOrderDate, readOrderFile } from '../src/services/import/order-rows.js';

describe('CSV', () => {
  it('reads quoted fields with commas, quotes and newlines, CRLF and a BOM, skipping blank lines, with start lines', () => {
    const text = '\ufeffa,b\r\n"x, y","say ""hi"""\r\n\r\n"two\nlines",z\n';
    expect([...parseCsv(text)]).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 4, fields: ['two\nlines', 'z'] },
    ]);
  });
});

describe('order dates', () => {
  it('takes ISO-8601 and YYYYMMDD, UTC without a zone, and refuses impossible dates', () => {
    expect(parseOrderDate('20260301')?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(parseOrderDate('2026-03-01')?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(parseOrderDate('2026-03-01T14:30')?.toISOString()).toBe('2026-03-01T14:30:00.000Z');
    expect(parseOrderDate('2026-03-01T14:30:05.250+0200')?.toISOString()).toBe('2026-03-01T12:30:05.250Z');
    expect(parseOrderDate('2026-03-01 14:30:00Z')?.toISOString()).toBe('2026-03-01T14:30:00.000Z');
    for (const bad of ['2026-02-30', '20261301', '2026-03-01T25:00', '01/03/2026', '', 'yesterday']) expect(parseOrderDate(bad)).toBeNull();
  });
});

describe('order files', () => {
  it('groups rows by orderRef, derives stable refs for rows without one, and refuses a whole order with a bad row', () => {
    const csv = [
      'Customer,ORDEREDAT,total,sku,quantity,orderRef,ignored',
      'a@x.test,2026-01-01,10,S1,2,R-1,?',
      'a@x.test,2026-01-01,5,S2,,R-1,?',
      'b@x.test,2026-01-02,7.5,,,,?',
      'b@x.test,2026-01-02,7.5,,,,?',
      'c@x.test,2026-01-03,1,,,R-2,?',
      'd@x.test,2026-01-03,1,,,R-2,?',
    ].join('\n');
    const file = readOrderFile(csv);
    expect(file.rows).toBe(6);
    expect(file.errors).toEqual([{ line: 7, field: 'orderRef', message: expect.stringContaining('another customer') }]);
    // R-2 has a bad line: the whole order is refused, and the batch of its first row with it.
    expect(file.badRows).toEqual(new Set([5, 4]));
    const [r1, b1, b2] = file.orders;
    expect(file.orders).toHaveLength(3);
    expect(r1).toMatchObject({ orderRef: 'R-1', totalCents: 1500, lines: [{ sku: 'S1', quantity: 2, totalCents: 1000 }, { sku: 'S2', quantity: 1, totalCents: 500 }] });
    // Two identical rows are two orders, and the same file read again gives the same refs.
    expect(b1!.orderRef).not.toBe(b2!.orderRef);
    expect(readOrderFile(csv).orders.map((o) => o.orderRef)).toEqual(file.orders.map((o) => o.orderRef));
  });
});
