// The check of delivered events against kept erasures (runs/erased-events.ts), in memory: the erased id and global id
// match whatever the order; the email (kept hashed: runs/erasure-email.ts) only in what was recorded before the
// erasure (numbered below its `customer.erased`: a re-created customer may use the address again); core's erased
// marker always; core's own `customer.erased` never.
import type { DeliveredEvent } from '@crm/plugin-sdk';
import { describe, expect, it } from 'vitest';
import { hashEmail } from '../src/runs/erasure-email.js';
import { erasedEventsIn, erasedPersonIn } from '../src/runs/erased-events.js';

const ANN = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const ERASED_SEQ = 100n;
const erasures = [{ customerId: ANN, ...hashEmail(' Ann@Example.com '), erasedSeq: ERASED_SEQ }];
const globalId = Buffer.from(`Customer:${ANN}`).toString('base64');

const event = (type: string, payload: unknown, subjectId = '0190a1b2-c3d4-7e5f-8a9b-000000000001') =>
  ({ id: 'e1', type, occurredAt: new Date(), payload, subjectId, subjectType: 'Customer', workspaceId: 'w', actor: 'user:x' }) as unknown as DeliveredEvent;

describe('erasedPersonIn', () => {
  const erased = erasedPersonIn(erasures);
  it('keeps no email in clear', () => {
    expect(JSON.stringify({ ...erasures[0], erasedSeq: undefined })).not.toMatch(/ann@example\.com/i);
  });
  it('matches the erased id and global id whatever the order', () => {
    expect(erased(ERASED_SEQ + 50n, { subjectId: ANN })).toBe(true);
    expect(erased(ERASED_SEQ + 50n, { record: { id: globalId } })).toBe(true);
  });
  it('matches the email as a whole address, recorded before the erasure (or at an unknown position) only', () => {
    expect(erased(ERASED_SEQ - 1n, { email: 'ANN@example.com' })).toBe(true);
    expect(erased(null, { note: 'write to <ann@example.com>.' })).toBe(true);
    expect(erased(ERASED_SEQ + 1n, { email: 'ann@example.com' })).toBe(false);
    expect(erased(ERASED_SEQ - 1n, { email: 'joann@example.com' })).toBe(false);
    expect(erased(ERASED_SEQ - 1n, { email: 'ann@example.com.au' })).toBe(false);
  });
  it('matches the email single-quoted, and after a JSON escape (a newline, a tab, a quote)', () => {
    expect(erased(ERASED_SEQ - 1n, { note: "'ann@example.com'" })).toBe(true);
    expect(erased(ERASED_SEQ - 1n, { note: 'Contact:\nann@example.com' })).toBe(true);
    expect(erased(ERASED_SEQ - 1n, { note: 'Contact:\tann@example.com' })).toBe(true);
    expect(erased(ERASED_SEQ - 1n, { note: 'said "ann@example.com"' })).toBe(true);
    const brien = erasedPersonIn([{ ...erasures[0]!, ...hashEmail('brien@example.com') }]);
    expect(brien(ERASED_SEQ - 1n, { email: "o'brien@example.com" })).toBe(false);
    expect(brien(ERASED_SEQ - 1n, { email: "'brien@example.com'" })).toBe(true);
  });
  it('without the erasure’s marker found, matches the email whatever the position', () => {
    expect(erasedPersonIn([{ ...erasures[0]!, erasedSeq: null }])(ERASED_SEQ + 1n, { email: 'ann@example.com' })).toBe(true);
  });
  it('leaves nothing out without erasures', () => {
    expect(erasedPersonIn([])(0n, { subjectId: ANN })).toBe(false);
  });
});

describe('erasedEventsIn', () => {
  const none = { erasures: [], positions: new Map<string, bigint>() };
  it('leaves out core’s erased marker with no erasure kept, and keeps core’s customer.erased', () => {
    expect(erasedEventsIn(none)(event('customer.updated', { erased: true }, ANN))).toBe(true);
    expect(erasedEventsIn(none)(event('customer.updated', { erased: true, other: 1 }, ANN))).toBe(false);
    const kept = { erasures, positions: new Map([['e1', ERASED_SEQ + 1n]]) };
    expect(erasedEventsIn(kept)(event('customer.erased', { removed: { Customer: 1 } }, ANN))).toBe(false);
    expect(erasedEventsIn(kept)(event('customer.updated', { changes: {} }, ANN))).toBe(true);
  });
  it('judges the email by the event’s seq', () => {
    const created = event('customer.created', { email: 'ann@example.com' });
    expect(erasedEventsIn({ erasures, positions: new Map([['e1', ERASED_SEQ + 1n]]) })(created)).toBe(false);
    expect(erasedEventsIn({ erasures, positions: new Map([['e1', ERASED_SEQ - 1n]]) })(created)).toBe(true);
  });
});
