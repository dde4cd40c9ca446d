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
    // GraphQL is checked once everything else is right, so check its clash on its own too.
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
    ]);
    expect(message).toContain('The plugins cannot start (9 problems):');
    expect(message).toContain('  chicken: requires.plugins: circular requirement: chicken -> egg -> chicken');
    expect(message).toContain('  ghost: prisma: model Ghost is not in the generated client');
    expect(message).toContain('  future: requires.core: needs core ^9.0.0; this is core 0.1.0');

    const clash = problemsOf(() => createPluginHost(plugins.slice(9, 11)));
    expect(clash.problems).toHaveLength(1);
    expect(clash.problems[0]).toMatchObject({ plugin: 'more-widgets', path: 'graphql' });
    expect(clash.problems[0]!.message).toMatch(/Widget/);
    fs.rmSync(dir, { recursive: true });
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
    expect(printSchema(buildSchema({ extend: [host.extendSchema] }))).toBe(printSchema(buildSchema()));
  });
});
