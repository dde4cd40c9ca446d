// An action called `as` a role works within that role's permissions with every tool, not only through the narrowed
// transaction: its `sql` reads are narrowed by them (own records only: its member's rows), and its record writes are
// checked against them (`objects.updateRelated` refuses to hand its tasks to someone else; `objects.create` of an
// object the role may not create is refused). The probe plugin's subscriber calls its action as the test says.
import { definePlugin, z } from '@crm/plugin-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';

type Plan = { input: { customerId: string; to: string }; as: { role: 'MEMBER'; customRoleId: string; userId: string } };
let plan: Plan | null = null;
const heard: Record<string, unknown>[] = [];
const codeOf = (error: unknown) => `${(error as { code?: string }).code}: ${(error as Error).message}`;

const probe = definePlugin({
  id: 'probe',
  version: '1.0.0',
  description: 'Calls its action as a role (SDK test fixture).',
  requires: { core: '^0.1.0' },
  actions: {
    look: {
      input: z.object({ customerId: z.uuid(), to: z.uuid() }),
      async run({ customerId, to }, { sql, objects, tx, session }) {
        const tasks = await sql<{ title: string }>`SELECT title FROM "Task" ORDER BY title`;
        const settled = (work: () => Promise<unknown>) => work().then(() => 'DONE', codeOf);
        return {
          tasks: tasks.map((task) => task.title),
          handOff: await settled(() => objects.updateRelated('Customer', customerId, 'tasks', { assigneeId: to }, { max: 10 })),
          company: await settled(() => objects.create('Company', { name: 'Probe Co' })),
          // A custom object the role does not name (the workspace's objects: `inWorkspace`), written by its own writer.
          contract: await settled(async () => (await objects.inWorkspace(tx, session.workspaceId)).create('Contract', { title: 'Probe' })),
          read: await objects.read(tx, 'Customer', customerId).then((customer) => customer?.name ?? null),
        };
      },
    },
  },
  subscribers: {
    'customer.created': {
      look: async (_event, { actions }) => {
        const current = plan;
        plan = null;
        if (current) heard.push(await actions.call('probe.look', current.input, { as: current.as }));
      },
    },
  },
});

const rowIdOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;

describe('an action called `as` an own-records role', () => {
  let kit: PluginTestGateway;
  beforeAll(async () => {
    kit = await startPluginTestGateway({ plugins: [probe] });
  });
  afterAll(async () => {
    await kit?.close();
  });

  it('reads and writes within the role: sql sees its own rows, a hand-off and a create it lacks are refused', async () => {
    const admin = kit.workspace.client;
    const user = async (name: string) =>
      (await admin.query(`mutation ($n: String!, $e: String!) { createUser(input: { name: $n, email: $e }) { user { id } } }`, { n: name, e: `${name}@probe.test` })).createUser.user.id as string;
    const [ana, ben] = [await user('ana'), await user('ben')];
    const objectId = (await admin.query(`mutation { defineCustomObject(input: { name: "Contract", label: "Contract" }) { customObject { id } } }`)).defineCustomObject.customObject.id;
    await admin.query(`mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`, { i: { customObjectId: objectId, name: 'title', type: 'TEXT' } });
    const role = await admin.query(`mutation ($p: [ObjectPermissionInput!]!) { createRole(input: { name: "Own records", permissions: $p }) { role { id } } }`, {
      p: [
        { object: 'User', read: true },
        { object: 'Company', read: true },
        ...['Customer', 'Task'].map((object) => ({ object, read: true, create: true, update: true, ownRecordsOnly: true })),
      ],
    });
    const customer = (await admin.query(`mutation ($o: ID!) { createCustomer(input: { name: "Ana's", ownerId: $o }) { customer { id } } }`, { o: ana })).createCustomer.customer.id as string;
    for (const [title, assignee] of [['ana 1', ana], ['ana 2', ana], ['ben 1', ben]] as const) {
      await admin.query(`mutation ($t: String!, $c: ID, $o: ID) { createTask(input: { title: $t, customerId: $c, assigneeId: $o }) { task { id } } }`, { t: title, c: customer, o: assignee });
    }
    const customerId = rowIdOf(customer);
    await kit.settled();
    plan = { input: { customerId, to: rowIdOf(ben) }, as: { role: 'MEMBER', customRoleId: rowIdOf(role.createRole.role.id), userId: rowIdOf(ana) } };
    await admin.query(`mutation { createCustomer(input: { name: "trigger" }) { customer { id } } }`);
    await kit.settled();
    expect(heard).toEqual([
      {
        tasks: ['ana 1', 'ana 2'],
        // The bulk write's refusal: each of its own tasks FORBIDDEN in `extensions.rows`, nothing changed.
        handOff: expect.stringMatching(/^BAD_USER_INPUT: the Task .* assigneeId: your API key's role keeps Task records its own: it cannot hand them to anyone else \(and 1 more\); nothing was changed$/),
        company: "FORBIDDEN: Your API key's role cannot create Company records",
        contract: "FORBIDDEN: Your API key's role cannot create Contract records",
        read: "Ana's",
      },
    ]);
    const assignees = await kit.database.prisma.task.findMany({ where: { customerId }, orderBy: { title: 'asc' }, select: { assigneeId: true } });
    expect(assignees.map((task) => task.assigneeId)).toEqual([ana, ana, ben].map(rowIdOf));
    expect(await kit.database.prisma.customRecord.count({ where: { workspaceId: kit.workspace.workspaceId } })).toBe(0);
  });
});
