// A queue's rows are claimed and put off by `id` alone (host/queues.ts), so its model's id must be unique by itself:
// the host refuses to start a plugin whose queue model's id is unique only together with another column, naming the
// plugin and the queue.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { definePlugin } from '../src/index.js';
import { createPluginHost, PluginHostError } from '../src/host/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-ids-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A plugin with one queue over a model whose key is `key` (the lines that make `id` unique, or not). */
function queuedPlugin(id: string, key: { field: string; block?: string }) {
  const file = path.join(dir, `${id}.prisma`);
  fs.writeFileSync(
    file,
    `model Job${id} {\n  id          String    ${key.field}\n  workspaceId String    @db.Uuid\n  dueAt       DateTime? @db.Timestamptz(3)\n  claims      Int       @default(0)\n${key.block ?? ''}\n  @@map("${id}_job")\n}\n`,
  );
  return definePlugin({ id, version: '1.0.0', prisma: file, queues: { work: { model: `Job${id}`, handle: async () => {} } } });
}

function queueProblems(plugin: ReturnType<typeof definePlugin>) {
  try {
    createPluginHost([plugin]);
    return [];
  } catch (error) {
    if (!(error instanceof PluginHostError)) throw error;
    return error.problems.filter((p) => p.path.startsWith('queues.'));
  }
}

describe('a queue model’s id', () => {
  it('unique only with another column (@@id([workspaceId, id])): the host refuses, naming the plugin and the queue', () => {
    const problems = queueProblems(queuedPlugin('composite', { field: '@db.Uuid', block: '  @@id([workspaceId, id])' }));
    expect(problems).toEqual([
      { plugin: 'composite', path: 'queues.work.model', message: 'Jobcomposite\'s id must be unique by itself (@id or @unique on id alone): queue "work" claims its rows by id' },
    ]);
    // Compiler-style: the message names both.
    expect(() => createPluginHost([queuedPlugin('composite', { field: '@db.Uuid', block: '  @@id([workspaceId, id])' })])).toThrow(/composite: queues\.work\.model: .*queue "work"/);
  });

  it('@id, @unique, @@id([id]) or @@unique([id]) on it: accepted', () => {
    expect(queueProblems(queuedPlugin('primary', { field: '@id @db.Uuid' }))).toEqual([]);
    expect(queueProblems(queuedPlugin('unique', { field: '@unique @db.Uuid', block: '  @@id([workspaceId, id])' }))).toEqual([]);
    expect(queueProblems(queuedPlugin('blockid', { field: '@db.Uuid', block: '  @@id([id])' }))).toEqual([]);
    expect(queueProblems(queuedPlugin('blockunique', { field: '@db.Uuid', block: '  @@id([workspaceId, id])\n  @@unique([id])' }))).toEqual([]);
  });
});
