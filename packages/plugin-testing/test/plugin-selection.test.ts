// Which plugins run: CRM_PLUGINS, crm.config.json (bundled ids, paths, package names), the default (every bundled
// plugin); a plugin switched off leaves no trace in the schema; a plugin written outside the repository (here: in a
// temp folder, plain JavaScript, @crm/plugin-sdk installed as a dependency) loads into a real gateway and answers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestGateway } from '@crm/gateway/testing';
import { buildSchema } from '@crm/graph';
import { createPluginHost, loadPlugins, pluginHostFromEnvironment, PluginHostError } from '@crm/plugin-sdk/host';
import { printSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const sdkDir = fileURLToPath(new URL('../../plugin-sdk', import.meta.url));
let root: string;
let outside: string;

/** A plugin package as an author outside the monorepo writes it: package.json + index.js, the SDK as a dependency. */
function writePlugin(dir: string, id: string, body: string, requires: string[] = []) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `crm-plugin-${id}`, version: '1.0.0', type: 'module', exports: './index.js' }));
  fs.writeFileSync(
    path.join(dir, 'index.js'),
    `import { definePlugin } from '@crm/plugin-sdk';\n` +
      `export default definePlugin({ id: '${id}', version: '1.0.0', requires: { core: '^0.1.0', plugins: ${JSON.stringify(requires)} },\n` +
      `  graphql(builder) { ${body} } });\n`,
  );
}

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-root-'));
  // What `npm install @crm/plugin-sdk` gives a project: the package in node_modules.
  fs.mkdirSync(path.join(root, 'node_modules/@crm'), { recursive: true });
  fs.symlinkSync(sdkDir, path.join(root, 'node_modules/@crm/plugin-sdk'), 'dir');
  writePlugin(path.join(root, 'plugins/alpha'), 'alpha', `builder.queryField('alphaGreeting', (t) => t.string({ resolve: () => 'hello from alpha' }));`);
  writePlugin(path.join(root, 'plugins/beta'), 'beta', `builder.queryField('betaGreeting', (t) => t.string({ resolve: () => 'hello from beta' }));`, ['alpha']);
  outside = path.join(root, 'elsewhere/acme-weather');
  writePlugin(
    outside,
    'acme-weather',
    `builder.prismaObjectField('Customer', 'weather', (t) => t.string({ resolve: (customer) => 'sunny for ' + customer.name }));`,
  );
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const fieldsOf = (schema: string) => ['alphaGreeting', 'betaGreeting', 'weather', 'InstalledPlugin'].filter((name) => schema.includes(name));

describe('CRM_PLUGINS and crm.config.json', () => {
  it('runs every bundled plugin by default, in dependency order', async () => {
    const { enabled, selectedBy } = await loadPlugins({ root, env: {} });
    expect(selectedBy).toBe('bundled');
    expect(createPluginHost(enabled).plugins.map((p) => p.id)).toEqual(['alpha', 'beta']);
  });

  it('CRM_PLUGINS picks plugins by id; empty means none, and none leaves the schema exactly as the core builds it', async () => {
    const alphaOnly = await pluginHostFromEnvironment({ root, env: { CRM_PLUGINS: 'alpha' } });
    const schema = printSchema(buildSchema({ objects: alphaOnly.host.objects, extend: [alphaOnly.host.extendSchema] }));
    expect(fieldsOf(schema)).toEqual(['alphaGreeting', 'InstalledPlugin']);

    const none = await pluginHostFromEnvironment({ root, env: { CRM_PLUGINS: '' } });
    expect(none.host.plugins).toEqual([]);
    const bare = printSchema(buildSchema({ objects: none.host.objects, extend: [none.host.extendSchema] }));
    expect(bare).toBe(printSchema(buildSchema()));
    expect(fieldsOf(bare)).toEqual([]);
  });

  it('refuses unknown ids and missing requirements, listing every problem', async () => {
    const attempt = pluginHostFromEnvironment({ root, env: { CRM_PLUGINS: 'beta,gamma' } });
    await expect(attempt).rejects.toBeInstanceOf(PluginHostError);
    const error = (await attempt.catch((e: unknown) => e)) as PluginHostError;
    expect(error.problems.map((p) => `${p.plugin}: ${p.path}: ${p.message}`)).toEqual([
      'gamma: CRM_PLUGINS: no such plugin (available: alpha, beta)',
      'beta: requires.plugins[0]: requires plugin "alpha", which is not enabled (add it to CRM_PLUGINS or crm.config.json)',
    ]);
  });

  it('crm.config.json names plugins by package name too (installed in node_modules)', async () => {
    writePlugin(path.join(root, 'node_modules/@acme/crm-plugin-hello'), 'acme-hello', `builder.queryField('acmeHello', (t) => t.string({ resolve: () => 'hi' }));`);
    fs.writeFileSync(path.join(root, 'crm.config.json'), JSON.stringify({ plugins: ['@acme/crm-plugin-hello', '@acme/not-installed'] }));
    try {
      const loaded = await loadPlugins({ root, env: {} });
      expect(loaded.enabled.map((p) => p.id)).toEqual(['acme-hello']);
      expect(loaded.problems).toEqual([
        { plugin: '@acme/not-installed', path: 'crm.config.json plugins[1]', message: 'package not installed: npm install @acme/not-installed' },
      ]);
    } finally {
      fs.rmSync(path.join(root, 'crm.config.json'));
    }
  });

  it('a bundled package that does not load stops the start only when it is selected', async () => {
    const broken = path.join(root, 'plugins/broken');
    fs.mkdirSync(broken);
    fs.writeFileSync(path.join(broken, 'package.json'), JSON.stringify({ name: 'crm-plugin-broken', type: 'module', exports: './dist/index.js' }));
    try {
      expect((await pluginHostFromEnvironment({ root, env: { CRM_PLUGINS: 'alpha' } })).host.plugins.map((p) => p.id)).toEqual(['alpha']);
      const error = (await pluginHostFromEnvironment({ root, env: {} }).catch((e: unknown) => e)) as PluginHostError;
      expect(error.problems).toEqual([{ plugin: 'broken', path: 'bundled', message: expect.stringContaining('is the plugin built?') }]);
    } finally {
      fs.rmSync(broken, { recursive: true });
    }
  });

  it('a plugin written outside the repository, named by path in crm.config.json, loads into a real gateway and answers', async () => {
    fs.writeFileSync(path.join(root, 'crm.config.json'), JSON.stringify({ plugins: ['alpha', './elsewhere/acme-weather'] }));
    const { host, loaded } = await pluginHostFromEnvironment({ root, env: {} });
    expect(loaded.selectedBy).toBe('crm.config.json');
    expect(host.plugins.map((p) => p.id)).toEqual(['alpha', 'acme-weather']);

    const kit = await startTestGateway({ plugins: host, migrations: host.migrations });
    try {
      const client = kit.workspace.client;
      const created = await client.query(`mutation { createCustomer(input: { name: "Wendy Weather" }) { customer { id } } }`);
      const data = await client.query(`query ($id: ID!) { alphaGreeting customer(id: $id) { weather } }`, { id: created.createCustomer.customer.id });
      expect(data).toEqual({ alphaGreeting: 'hello from alpha', customer: { weather: 'sunny for Wendy Weather' } });
      const schema = printSchema(kit.gateway.schema);
      expect(fieldsOf(schema)).toEqual(['alphaGreeting', 'weather', 'InstalledPlugin']);
    } finally {
      await kit.close();
      fs.rmSync(path.join(root, 'crm.config.json'));
    }
  });
});
