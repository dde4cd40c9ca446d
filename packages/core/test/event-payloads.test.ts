// Core's payload shapes (`coreEventPayloads`): one for every event type of the catalog, and held to `CrmEventMap` by
// the compiler in both directions. The `@ts-expect-error` lines are the compile-time test: this file is type-checked
// by the package's typecheck (tsconfig.json includes test/), which fails if a drifted shape were accepted.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { coreEventSubjects } from '../src/event-catalog.js';
import { coreEventPayloads, type DriftedPayloads } from '../src/event-payloads.js';
import type { CrmEventMap } from '../src/events.js';

const lostShapes = {
  held: { 'deal.lost': z.object({ customerId: z.string(), amount: z.string(), reason: z.string().nullable() }) },
  // `reason` is `string | null` in CrmEventMap: a shape that drops null is narrower, and refused.
  narrower: { 'deal.lost': z.object({ customerId: z.string(), amount: z.string(), reason: z.string() }) },
  // A key the type does not have is refused too (a shape is the type, not a part of it).
  wider: { 'deal.lost': z.object({ customerId: z.string(), amount: z.string(), reason: z.string().nullable(), dealId: z.string() }) },
};

describe('coreEventPayloads', () => {
  it('has a shape for every core event type, and none for another', () => {
    expect([...coreEventPayloads.keys()].sort()).toEqual([...coreEventSubjects.keys()].sort());
  });

  it('is held to CrmEventMap at compile time, in both directions', () => {
    const held: { [K in DriftedPayloads<typeof lostShapes.held, CrmEventMap>]: 'differs' } = {};
    // @ts-expect-error deal.lost's reason is `string | null`: the narrower shape drifts
    const narrower: { [K in DriftedPayloads<typeof lostShapes.narrower, CrmEventMap>]: 'differs' } = {};
    // @ts-expect-error deal.lost has no dealId: the wider shape drifts
    const wider: { [K in DriftedPayloads<typeof lostShapes.wider, CrmEventMap>]: 'differs' } = {};
    expect([held, narrower, wider]).toEqual([{}, {}, {}]);
  });

  it('takes what core emits and refuses what it does not', () => {
    const lost = coreEventPayloads.get('deal.lost')!;
    expect(lost.safeParse({ customerId: '0190a5c4-8d3e-7b2a-9c1d-2e3f4a5b6c7d', amount: '5000.00', reason: null }).success).toBe(true);
    expect(lost.safeParse({ customerId: '0190a5c4-8d3e-7b2a-9c1d-2e3f4a5b6c7d', amount: 'lots', reason: null }).success).toBe(false);
    const updated = coreEventPayloads.get('deal.updated')!;
    expect(updated.safeParse({ customerId: '0190a5c4-8d3e-7b2a-9c1d-2e3f4a5b6c7d', changed: ['title'], changes: { title: { from: 'a', to: 'b' } } }).success).toBe(true);
  });
});
