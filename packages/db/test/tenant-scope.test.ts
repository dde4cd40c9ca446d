import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/database.js';
import { scopeToWorkspace } from '../src/tenant-scope.js';
import { ensurePGliteTemplate, openTemplateDatabase } from '../src/testing/index.js';

let db: Database;
let a: string;
let b: string;
beforeAll(async () => {
  db = await openTemplateDatabase(await ensurePGliteTemplate());
  a = (await db.prisma.workspace.create({ data: { name: 'A' } })).id;
  b = (await db.prisma.workspace.create({ data: { name: 'B' } })).id;
});
afterAll(async () => {
  await db?.close();
});

describe('workspace-scoped client', () => {
  it('sets the workspace on create, even over a caller-supplied one', async () => {
    const scoped = scopeToWorkspace(db.prisma, a);
    const customer = await scoped.customer.create({ data: { workspaceId: b, name: 'Sneaky' } });
    expect(customer.workspaceId).toBe(a);
    await scoped.customer.createMany({ data: [{ workspaceId: b, name: 'Bulk 1' }, { workspaceId: b, name: 'Bulk 2' }] });
    expect(await db.prisma.customer.count({ where: { workspaceId: b } })).toBe(0);
  });

  it('never reads, updates or deletes another workspace’s rows', async () => {
    const other = await db.prisma.customer.create({ data: { workspaceId: b, name: 'Theirs' } });
    const scoped = scopeToWorkspace(db.prisma, a);
    expect(await scoped.customer.findUnique({ where: { id: other.id } })).toBeNull();
    expect(await scoped.customer.findFirst({ where: { id: other.id, workspaceId: b } })).toBeNull();
    expect(await scoped.customer.count({ where: { workspaceId: b } })).toBe(0);
    expect((await scoped.customer.updateMany({ where: { id: other.id }, data: { name: 'Mine now' } })).count).toBe(0);
    await expect(scoped.customer.update({ where: { id: other.id }, data: { name: 'Mine now' } })).rejects.toThrow();
    expect((await scoped.customer.deleteMany({ where: { id: other.id } })).count).toBe(0);
    expect((await db.prisma.customer.findUniqueOrThrow({ where: { id: other.id } })).name).toBe('Theirs');
    expect(await scoped.workspace.findUnique({ where: { id: b } })).toBeNull();
  });

  it('keeps transactions scoped', async () => {
    const scoped = scopeToWorkspace(db.prisma, a);
    const names = await scoped.$transaction(async (tx) => (await tx.customer.findMany({ select: { workspaceId: true } })).map((c) => c.workspaceId));
    expect(new Set(names)).toEqual(new Set([a]));
  });
});
