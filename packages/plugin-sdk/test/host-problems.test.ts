// definePlugin and the host's compile step: every problem of every plugin, listed together, compiler-style.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSchema } from '@crm/graph';
import { printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { definePlugin, z } from '../src/index.js';
import { createPluginHost, PluginHostError } from '../src/host/index.js';

function problemsOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof PluginHostError) return { problems: error.problems, message: error.message };
    throw error;
  }
  throw new Error('expected the host to refuse');
}

describe('definePlugin', () => {
  it('returns a frozen value and has no side effects; a good definition has no problems', () => {
    const plugin = definePlugin({ id: 'hello', version: '1.0.0', graphql: (builder) => builder.queryField('hello', (t) => t.string({ resolve: () => 'hi' })) });
    expect(plugin.problems).toEqual([]);
    expect(Object.isFrozen(plugin)).toBe(true);
    expect(Object.isFrozen(plugin.requires)).toBe(true);
    // Nothing registered anywhere: the core schema is unchanged until a host composes the plugin.
    expect(printSchema(buildSchema())).not.toContain('hello');
  });

  it('collects every problem of a definition with the path of the option at fault', () => {
    const plugin = definePlugin({
      id: 'Bad_Id',
      version: 'one',
      requires: { core: 'not a range', plugins: ['Bad_Id'] },
      settings: z.object({ rate: z.number(), label: z.string().default('x') }),
      permissions: { 'bad name': { roles: ['OWNER' as 'ADMIN'] } },
      events: { tierChanged: { subject: 'account' } },
      subscribers: { 'order.recorded': { 'not-an-identifier': async () => {} } },
      delivery: { attempts: 0 },
      ...({ grapql: () => {} } as object),
    });
    expect(plugin.problems.map((p) => p.path)).toEqual([
      'grapql',
      'id',
      'version',
      'requires.core',
      'requires.plugins[0]', // not an id
      'requires.plugins[0]', // itself
      'permissions.bad name',
      'permissions.bad name.roles',
      'events["tierChanged"]',
      'events["tierChanged"].subject',
      'settings.rate',
      'subscribers["order.recorded"].not-an-identifier',
      'delivery.attempts',
    ]);
    expect(plugin.problems.find((p) => p.path === 'settings.rate')?.message).toMatch(/needs a default/);
  });

  it('checks jobs: identifier names, a run function, an interval of at least a second', () => {
    const plugin = definePlugin({ id: 'jobs', version: '1.0.0', jobs: { 'every-ms': { everyMs: 10, run: async () => {} }, nightly: { everyMs: 86_400_000, run: async () => {} } } });
    expect(plugin.problems.map((p) => p.path)).toEqual(['jobs.every-ms', 'jobs.every-ms.everyMs']);
    expect(plugin.jobs.map((j) => j.name)).toEqual(['nightly']);
  });
});

describe('the plugin host', () => {
  const graphqlType = (name: string) => (builder: Parameters<NonNullable<Parameters<typeof definePlugin>[0]['graphql']>>[0]) => {
    const ref = builder.objectRef<{ n: number }>(name).implement({ fields: (t) => ({ n: t.exposeInt('n') }) });
    builder.queryField(`${name.toLowerCase()}Of${Math.random().toString(36).slice(2, 6)}`, (t) => t.field({ type: ref, resolve: () => ({ n: 1 }) }));
  };

  it('refuses to start with the whole list: ids, versions, requirements, cycles, events, data, GraphQL clashes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-plugin-'));
    fs.writeFileSync(path.join(dir, 'ghost.prisma'), 'model Ghost {\n  id String @id\n}\n');
    const plugins = [
      definePlugin({ id: 'twin', version: '1.0.0' }),
      definePlugin({ id: 'twin', version: '1.0.1' }),
      definePlugin({ id: 'needs-missing', version: '1.0.0', requires: { plugins: ['nowhere'] } }),
      definePlugin({ id: 'chicken', version: '1.0.0', requires: { plugins: ['egg'] } }),
      definePlugin({ id: 'egg', version: '1.0.0', requires: { plugins: ['chicken'] } }),
      definePlugin({ id: 'future', version: '1.0.0', requires: { core: '^9.0.0' } }),
      definePlugin({ id: 'poser', version: '1.0.0', events: { 'customer.vanished': { subject: 'Customer' }, 'poser.done': { subject: 'Customer' } } }),
      definePlugin({ id: 'copycat', version: '1.0.0', events: { 'poser.done': { subject: 'Customer' } } }),
      definePlugin({ id: 'ghost', version: '1.0.0', prisma: path.join(dir, 'ghost.prisma'), migrations: path.join(dir, 'none') }),
      definePlugin({ id: 'widgets', version: '1.0.0', graphql: graphqlType('Widget') }),
      definePlugin({ id: 'more-widgets', version: '1.0.0', graphql: graphqlType('Widget') }),
      definePlugin({ id: 'bad', version: 'x' }),
    ];
    // GraphQL is checked whatever else is wrong: one run lists everything.
    const { problems, message } = problemsOf(() => createPluginHost(plugins));
    expect(problems.map((p) => `${p.plugin} ${p.path}`)).toEqual([
      'bad version',
      'twin id',
      'future requires.core',
      'needs-missing requires.plugins[0]',
      'chicken requires.plugins',
      'poser events["customer.vanished"]',
      'copycat events["poser.done"]',
      'ghost migrations',
      'ghost prisma',
      'more-widgets graphql',
    ]);
    expect(message).toContain('The plugins cannot start (10 problems):');
    expect(message).toContain('  twin: id: two enabled plugins have this id: plugin twin@1.0.0 and plugin twin@1.0.1');
    expect(message).toContain('  more-widgets: graphql: type Widget is also added by plugin "widgets"');
    expect(message).toContain('  chicken: requires.plugins: circular requirement: chicken -> egg -> chicken');
    expect(message).toContain('  ghost: prisma: model Ghost is not in the generated client');
    expect(message).toContain('  future: requires.core: needs core ^9.0.0; this is core 0.1.0');

    fs.rmSync(dir, { recursive: true });
  });

  it('reports every GraphQL clash between plugins, each naming both plugins, and a clash with the core', () => {
    const greet = (field: string) => (builder: Parameters<NonNullable<Parameters<typeof definePlugin>[0]['graphql']>>[0]) =>
      builder.queryField(field, (t) => t.string({ resolve: () => 'hi' }));
    const both = (...fields: string[]) => (builder: Parameters<ReturnType<typeof greet>>[0]) => fields.forEach((f) => greet(f)(builder));
    const { problems } = problemsOf(() =>
      createPluginHost([
        definePlugin({ id: 'first', version: '1.0.0', graphql: both('hello', 'goodbye') }),
        definePlugin({ id: 'second', version: '1.0.0', graphql: both('hello', 'goodbye') }),
        definePlugin({ id: 'third', version: '1.0.0', graphql: greet('hello') }),
        definePlugin({ id: 'shadow', version: '1.0.0', graphql: greet('customers') }),
      ]),
    );
    expect(problems.map((p) => `${p.plugin}: ${p.message}`)).toEqual([
      expect.stringMatching(/^shadow: .*customers/),
      'second: field Query.hello is also added by plugin "first"',
      'second: field Query.goodbye is also added by plugin "first"',
      'third: field Query.hello is also added by plugin "first"',
      'third: field Query.hello is also added by plugin "second"',
    ]);
  });

  it('refuses two plugins that declare the same model or table, or a core one, naming both sides and their files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-models-'));
    const fragment = (name: string, body: string) => {
      fs.mkdirSync(path.join(dir, name, 'migrations'), { recursive: true });
      fs.writeFileSync(path.join(dir, name, 'schema.prisma'), body);
      return { prisma: path.join(dir, name, 'schema.prisma'), migrations: path.join(dir, name, 'migrations') };
    };
    const model = (name: string, extra = '') => `model ${name} {\n  id String @id\n  workspaceId String\n${extra}}\n`;
    const { problems } = problemsOf(() =>
      createPluginHost([
        definePlugin({ id: 'left', version: '1.0.0', ...fragment('left', model('Twin') + model('LeftOnly', '  @@map("shared_rows")\n')) }),
        definePlugin({ id: 'right', version: '1.0.0', ...fragment('right', model('Twin') + model('RightOnly', '  @@map("shared_rows")\n')) }),
        definePlugin({ id: 'usurper', version: '1.0.0', ...fragment('usurper', model('Customer') + model('Mine', '  @@map("Deal")\n')) }),
      ]),
    );
    const messages = problems.filter((p) => p.path === 'prisma' && !/generated client/.test(p.message)).map((p) => `${p.plugin}: ${p.message}`);
    const file = (name: string) => path.join(dir, name, 'schema.prisma');
    expect(messages).toEqual([
      `right: model Twin in ${file('right')} is also declared by plugin "left" (${file('left')})`,
      `right: table "shared_rows" (model RightOnly in ${file('right')}) is also used by plugin "left" (${file('left')})`,
      `usurper: model Customer in ${file('usurper')} is also declared by the core`,
      `usurper: table "Deal" (model Mine in ${file('usurper')}) is also used by the core`,
    ]);
    fs.rmSync(dir, { recursive: true });
  });

  it('refuses an object that takes custom fields without the customFields column for their values', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-custom-fields-'));
    fs.mkdirSync(path.join(dir, 'migrations'));
    // Models of the generated client: LoyaltyReward has the column (loyalty's migration), LoyaltyAccount has not.
    fs.writeFileSync(path.join(dir, 'schema.prisma'), 'model LoyaltyAccount {\n  id String @id\n  workspaceId String\n}\nmodel LoyaltyReward {\n  id String @id\n  workspaceId String\n}\n');
    const object = (name: string) => ({ name, customFields: true, fields: { id: { kind: 'id' as const } }, defaultOrder: [] });
    const { problems } = problemsOf(() =>
      createPluginHost([
        definePlugin({ id: 'opts-in', version: '1.0.0', prisma: path.join(dir, 'schema.prisma'), migrations: path.join(dir, 'migrations'), objects: [object('LoyaltyAccount'), object('LoyaltyReward')] }),
      ]),
    );
    expect(problems.filter((p) => p.path.endsWith('.customFields'))).toEqual([
      { plugin: 'opts-in', path: 'objects.LoyaltyAccount.customFields', message: 'model LoyaltyAccount needs `customFields Json @default("{}")` (and its migration) to take custom fields' },
    ]);
    fs.rmSync(dir, { recursive: true });
  });

  it('names both packages when two plugins share an id or a package name', () => {
    const a = definePlugin({ id: 'nps', version: '1.0.0' });
    const b = definePlugin({ id: 'nps', version: '2.0.0' });
    const c = definePlugin({ id: 'nps-two', version: '1.0.0' });
    const origins = new Map([
      [a, { source: 'bundled', dir: '/repo/plugins/nps', packageName: '@crm/plugin-nps' }],
      [b, { source: './vendor/nps', dir: '/repo/vendor/nps', packageName: 'acme-nps' }],
      [c, { source: 'acme-nps', dir: '/repo/node_modules/acme-nps', packageName: 'acme-nps' }],
    ]);
    const { message } = problemsOf(() => createPluginHost([a, b, c], { origins }));
    expect(message).toContain(
      '  nps: id: two enabled plugins have this id: package @crm/plugin-nps at /repo/plugins/nps (bundled) and package acme-nps at /repo/vendor/nps (crm.config.json entry ./vendor/nps)',
    );
    expect(message).toContain(
      '  nps-two: package: two enabled plugins come from the package acme-nps: package acme-nps at /repo/vendor/nps (crm.config.json entry ./vendor/nps) and package acme-nps at /repo/node_modules/acme-nps (crm.config.json entry acme-nps)',
    );
  });

  it('orders plugins after those they require', () => {
    const host = createPluginHost([
      definePlugin({ id: 'top', version: '1.0.0', requires: { plugins: ['middle'] } }),
      definePlugin({ id: 'middle', version: '1.0.0', requires: { plugins: ['base'] } }),
      definePlugin({ id: 'base', version: '1.0.0' }),
    ]);
    expect(host.plugins.map((p) => p.id)).toEqual(['base', 'middle', 'top']);
  });

  it('an empty host leaves the schema exactly as the core builds it', () => {
    const host = createPluginHost([]);
    expect(printSchema(buildSchema({ objects: host.objects, extend: [host.extendSchema] }))).toBe(printSchema(buildSchema()));
  });
});
