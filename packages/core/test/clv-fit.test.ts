// The demo data's purchases follow the BG/NBD and Gamma-Gamma stories (CDNOW's parameters): fitting a seeded
// workspace through the product's own SQL and optimiser must find them again.
import type { Database } from '@crm/db';
import { ensurePGliteTemplate, openTemplateDatabase } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandRunner } from '../src/command.js';
import { seedWorkspace } from '../src/demo-data/index.js';
import { fitClvModel } from '../src/services/analytics/clv-fit.js';
import { systemSession } from '../src/session.js';
import { createWorkspace } from '../src/workspaces.js';

let db: Database;
beforeAll(async () => {
  db = await openTemplateDatabase(await ensurePGliteTemplate());
});
afterAll(async () => {
  await db?.close();
});

describe('lifetime-value fit of seeded demo data', () => {
  it('recovers the purchase and spend parameters the generator used', async () => {
    const { workspaceId } = await createWorkspace(db.prisma, { name: 'seeded' });
    const asOf = new Date('2026-06-30T00:00:00Z');
    await seedWorkspace(db.prisma, workspaceId, { customers: 4000, seed: 3, asOf });
    const caller = new CommandRunner({ prisma: db.prisma }).callerFor(systemSession(workspaceId));
    const model = await fitClvModel(caller, { asOf, trigger: 'cli' });
    // Generator: r = 0.25, α = 4.4, a = 0.8, b = 2.4; spend p = 6.25, q = 3.74 (γ is in the shop's prices).
    expect(model.converged).toBe(true);
    expect(model.r).toBeGreaterThan(0.25 * 0.75);
    expect(model.r).toBeLessThan(0.25 * 1.33);
    expect(model.alpha).toBeGreaterThan(4.4 * 0.6);
    expect(model.alpha).toBeLessThan(4.4 * 1.66);
    expect(model.a / (model.a + model.b)).toBeGreaterThan(0.25 * 0.6); // mean dropout probability E[p] = a/(a+b) = 0.25
    expect(model.a / (model.a + model.b)).toBeLessThan(0.25 * 1.66);
    expect(await db.prisma.customerScore.count({ where: { workspaceId } })).toBe(model.customers);
  }, 120_000);
});
