// The check of delivered events against kept erasures (runs/erased-events.ts), in memory: the erased id and global id
// match whatever the times (an event's `occurredAt` is the gateway's clock, `erasedAt` the database's); the email only
// up to the erasure's time plus ERASURE_SKEW_MS (a re-created customer may use it again); core's erased marker always;
// core's own `customer.erased` never.
import type { DeliveredEvent } from '@crm/plugin-sdk';
import { describe, expect, it } from 'vitest';
import { ERASURE_SKEW_MS, erasedEventsIn, erasedPersonIn } from '../src/runs/erased-events.js';

const ANN = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const ERASED_AT = new Date('2026-12-01T12:00:00.000Z');
const erasures = [{ customerId: ANN, email: 'ann@example.com', erasedAt: ERASED_AT }];
const at = (ms: number) => new Date(ERASED_AT.getTime() + ms);
const globalId = Buffer.from(`Customer:${ANN}`).toString('base64');

const event = (type: string, occurredAt: Date, payload: unknown, subjectId = '0190a1b2-c3d4-7e5f-8a9b-000000000001') =>
  ({ id: 'e1', type, occurredAt, payload, subjectId, subjectType: 'Customer', workspaceId: 'w', actor: 'user:x' }) as unknown as DeliveredEvent;

describe('erasedPersonIn', () => {
  const erased = erasedPersonIn(erasures);
  it('matches the erased id and global id whatever the time (a gateway clock ahead)', () => {
    expect(erased(at(30 * 60_000), { subjectId: ANN })).toBe(true);
    expect(erased(at(24 * 3600_000), { record: { id: globalId } })).toBe(true);
  });
  it('matches the email up to the erasure’s time plus the skew margin, not after (a re-created customer)', () => {
    expect(erased(at(-1000), { email: 'ann@example.com' })).toBe(true);
    expect(erased(at(ERASURE_SKEW_MS), { email: 'ANN@example.com' })).toBe(true);
    expect(erased(at(ERASURE_SKEW_MS + 1), { email: 'ann@example.com' })).toBe(false);
    expect(erased(at(-1000), { email: 'joann@example.com' })).toBe(false);
  });
  it('leaves nothing out without erasures', () => {
    expect(erasedPersonIn([])(at(0), { subjectId: ANN })).toBe(false);
  });
});

describe('erasedEventsIn', () => {
  it('leaves out core’s erased marker with no erasure kept, and keeps core’s customer.erased', () => {
    expect(erasedEventsIn([])(event('customer.updated', at(0), { erased: true }, ANN))).toBe(true);
    expect(erasedEventsIn([])(event('customer.updated', at(0), { erased: true, other: 1 }, ANN))).toBe(false);
    expect(erasedEventsIn(erasures)(event('customer.erased', at(1000), { removed: { Customer: 1 } }, ANN))).toBe(false);
    expect(erasedEventsIn(erasures)(event('customer.updated', at(1000), { changes: {} }, ANN))).toBe(true);
  });
});
