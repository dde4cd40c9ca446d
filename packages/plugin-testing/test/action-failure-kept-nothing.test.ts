// An action that fails leaves nothing, whoever calls it: a subscriber that calls it, catches its error and goes on
// commits its own writes, not the action's rows nor their events. Both ways an action fails: `run` throws (after a
// write), or it returns what its declared output refuses (PLUGIN_FAILED, ACTION_OUTPUT_MISMATCH). Each call runs in a
// savepoint of the caller's transaction (plugin-sdk's action-caller.ts).
import { type CrmError, definePlugin, z } from '@crm/plugin-sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';

/** Actions that write a task, then fail. */
const stamps = definePlugin({
  id: 'stamps',
  version: '1.0.0',
  requires: { core: '^0.1.0' },
  actions: {
    throwing: {
      input: z.object({ title: z.string() }),
      async run({ title }, { commands }) {
        await commands.createTask({ title });
        throw new Error('stamps broke after writing');
      },
    },
    mismatched: {
      input: z.object({ title: z.string() }),
      output: z.object({ taskId: z.uuid() }),
      async run({ title }, { commands }) {
        await commands.createTask({ title });
        // Its bug: not the id it declares.
        return { taskId: 42 } as unknown as { taskId: string };
      },
    },
    working: {
      input: z.object({ title: z.string() }),
      async run({ title }, { commands }) {
        const task = await commands.createTask({ title });
        return { taskId: task.id };
      },
    },
  },
});

const heard: string[] = [];
const caller = definePlugin({
  id: 'stamp-caller',
  version: '1.0.0',
  requires: { core: '^0.1.0' },
  subscribers: {
    'company.updated': {
      stampAndGoOn: async (_event, { actions, objects }) => {
        for (const name of ['stamps.throwing', 'stamps.mismatched']) {
          try {
            await actions.call(name, { title: `Written by ${name}` });
            heard.push(`${name}: ran`);
          } catch (error) {
            heard.push(`${name}: ${(error as CrmError).code ?? 'Error'} ${(error as CrmError).extensions?.reason ?? (error as Error).message}`);
          }
        }
        // One that works is kept with its events (its savepoint released).
        await actions.call('stamps.working', { title: 'Written by stamps.working' });
        // Committed with the transaction: the test reads after it.
        await objects.create('Task', { title: 'The subscriber went on' });
      },
    },
  },
});

let kit: PluginTestGateway;
beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [stamps, caller] });
});
afterAll(async () => {
  await kit?.close();
});

it('a failed action caught by its caller keeps neither its rows nor its events; the caller’s own writes are kept', async () => {
  const admin = kit.workspace.client;
  const company = (await admin.query(`mutation { createCompany(input: { name: "Stamped" }) { company { id } } }`)).createCompany.company.id;
  await admin.query(`mutation ($id: ID!) { updateCompany(input: { id: $id, name: "Stamped 2" }) { company { id } } }`, { id: company });
  const workspace = [kit.workspace.workspaceId];
  const committed = async () => (await kit.database.sql.query(`SELECT id FROM "Task" WHERE "workspaceId" = $1::uuid AND title = 'The subscriber went on'`, workspace)).length > 0;
  for (let i = 0; i < 300 && !(await committed()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(heard).toEqual(['stamps.throwing: Error stamps broke after writing', 'stamps.mismatched: PLUGIN_FAILED ACTION_OUTPUT_MISMATCH']);
  const tasks = await kit.database.sql.query<{ id: string; title: string }>(`SELECT id, title FROM "Task" WHERE "workspaceId" = $1::uuid ORDER BY title`, workspace);
  expect(tasks.map((t) => t.title)).toEqual(['The subscriber went on', 'Written by stamps.working']);
  // Events only of the tasks kept: none of a task rolled back.
  const events = await kit.database.sql.query<{ subjectId: string }>(`SELECT "subjectId" FROM "Event" WHERE "workspaceId" = $1::uuid AND type = 'task.created' ORDER BY "subjectId"`, workspace);
  expect(events.map((e) => e.subjectId)).toEqual(tasks.map((t) => t.id).sort());
});
