// `crm plugin new|add|list|migration|generate` and `crm client generate`, run as child processes the way users run them.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testPostgresUrl } from '@crm/db/testing';
import { afterAll, expect, it } from 'vitest';
import { startTestGateway } from '../src/testing/index.js';

const cliMain = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const repository = fileURLToPath(new URL('../../..', import.meta.url));
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-cli-plugin-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

/** Runs the CLI; an env value of null removes that variable (this suite's CRM_PLUGINS="" turns every plugin off). */
function crm(args: string[], env: Record<string, string | null> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const merged: Record<string, string | undefined> = { ...process.env };
  for (const [name, value] of Object.entries(env)) {
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  return new Promise((resolve) => {
    execFile(process.execPath, [cliMain, ...args], { env: merged, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

it('plugin new scaffolds a package with a schema fragment, a first migration, a test and a README', async () => {
  const dir = path.join(temp, 'gift-cards');
  const run = await crm(['plugin', 'new', 'gift-cards', '--dir', dir, '--sdk', 'npm'], { DATABASE_URL: testPostgresUrl() });
  expect(run.code, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout.trim());
  expect(result).toMatchObject({ plugin: 'gift-cards', dir, migration: expect.stringMatching(/^prisma\/migrations\/\d{14}_init$/) });
  const migration = fs.readFileSync(path.join(dir, result.migration, 'migration.sql'), 'utf8');
  expect(migration).toContain('CREATE TABLE "GiftCardsNote"');
  expect(migration).toContain('FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE');
  expect(result.foreignKeys).toHaveLength(2);
  // A standalone package: its own tools, the SDK from npm as a peer (the host's copy), the kit to test with.
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  expect(manifest).toMatchObject({ name: 'crm-plugin-gift-cards', peerDependencies: { '@crm/plugin-sdk': '^0.1.0' } });
  expect(manifest.devDependencies).toMatchObject({ '@crm/plugin-sdk': '^0.1.0', '@crm/plugin-testing': '^0.1.0', typescript: expect.any(String), vitest: expect.any(String) });
  expect(manifest.private).toBeUndefined();
  const source = fs.readFileSync(path.join(dir, 'src/index.ts'), 'utf8');
  expect(source).toContain("id: 'gift-cards'");
  expect(source).toContain("builder.mutationField('addGiftCardsNote'");
  expect(source).toContain("'customer.created': {");
  expect(fs.existsSync(path.join(dir, 'test/gift-cards.test.ts'))).toBe(true);
  expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toContain('crm plugin new gift-cards');

  const again = await crm(['plugin', 'new', 'gift-cards', '--dir', dir, '--sdk', 'npm']);
  expect(again.code).toBe(1);
  expect(again.stderr).toContain('already exists');
  expect((await crm(['plugin', 'new', 'Gift_Cards'])).code).toBe(2);
});

it('plugin list shows the installed plugins and how they were selected', async () => {
  const root = path.join(temp, 'empty-root');
  fs.mkdirSync(root);
  const run = await crm(['plugin', 'list'], { CRM_ROOT: root });
  expect(run.code, run.stderr).toBe(0);
  expect(JSON.parse(run.stdout.trim())).toEqual({ selectedBy: 'CRM_PLUGINS', plugins: [], problems: [] });
});

it('plugin migration works on an unbuilt plugin and writes foreign keys for its references to core rows', async () => {
  const dir = path.join(temp, 'surveys');
  expect((await crm(['plugin', 'new', 'surveys', '--dir', dir, '--sdk', 'npm'], { DATABASE_URL: testPostgresUrl() })).code).toBe(0);
  expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  const fragment = path.join(dir, 'prisma/schema/surveys.prisma');
  fs.writeFileSync(
    fragment,
    fs.readFileSync(fragment, 'utf8').replace('  text        String\n', '  text        String\n  dealId      String? @db.Uuid\n  /// @references(User)\n  ownerId     String? @db.Uuid\n  externalId  String?\n'),
  );
  const run = await crm(['plugin', 'migration', dir, 'add_deal'], { DATABASE_URL: testPostgresUrl() });
  expect(run.code, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout.trim());
  expect(result).toMatchObject({ plugin: 'surveys', created: expect.stringMatching(/_add_deal$/), unresolvedReferences: ['SurveysNote.externalId'] });
  const sql = fs.readFileSync(path.join(result.created, 'migration.sql'), 'utf8');
  expect(sql).toContain('FOREIGN KEY ("dealId") REFERENCES "Deal"("id") ON DELETE SET NULL');
  expect(sql).toContain('FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE SET NULL');
  expect(sql).not.toContain('"customerId") REFERENCES'); // already made by the first migration
  expect(run.stderr).toContain('SurveysNote.externalId looks like a reference');
  const again = await crm(['plugin', 'migration', dir, 'nothing'], { DATABASE_URL: testPostgresUrl() });
  expect(JSON.parse(again.stdout.trim())).toMatchObject({ created: null, foreignKeys: [] });
});

/** A plugin package re-exporting the repository's built loyalty plugin (it resolves the SDK from the repository). */
function loyaltyPackage(dir: string, name: string) {
  fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, type: 'module', exports: { '.': './dist/index.js' } }));
  fs.writeFileSync(path.join(dir, 'dist/index.js'), `export { default } from ${JSON.stringify(path.join(repository, 'plugins/loyalty/dist/index.js'))};\n`);
  fs.cpSync(path.join(repository, 'plugins/loyalty/prisma'), path.join(dir, 'prisma'), { recursive: true });
}

/** A root with a bundled loyalty plugin, so clashes have something to clash with. */
function rootWithLoyalty(name: string): string {
  const root = path.join(temp, name);
  loyaltyPackage(path.join(root, 'plugins/loyalty'), '@crm/plugin-loyalty');
  return root;
}

it('plugin add refuses a plugin whose package name or id is already installed, naming both, and writes nothing', async () => {
  const root = rootWithLoyalty('clash-root');
  const samePackage = path.join(temp, 'same-package');
  fs.mkdirSync(samePackage);
  fs.writeFileSync(path.join(samePackage, 'package.json'), JSON.stringify({ name: '@crm/plugin-loyalty', version: '9.0.0', type: 'module' }));
  const byName = await crm(['plugin', 'add', samePackage], { CRM_ROOT: root });
  expect(byName.code).toBe(1);
  expect(byName.stderr).toContain(`package name @crm/plugin-loyalty is already installed: ${path.join(root, 'plugins/loyalty')} (bundled); this one is ${samePackage}`);

  const sameId = path.join(temp, 'same-id');
  loyaltyPackage(sameId, 'acme-loyalty');
  const byId = await crm(['plugin', 'add', sameId], { CRM_ROOT: root });
  expect(byId.code).toBe(1);
  expect(byId.stderr).toContain(`plugin id "loyalty" is already installed: ${path.join(root, 'plugins/loyalty')} (bundled); this one is ${sameId}`);
  expect(fs.existsSync(path.join(root, 'crm.config.json'))).toBe(false);
});

it('composition refuses two plugins with one package name, naming both, before anything is generated', async () => {
  const root = rootWithLoyalty('compose-root');
  const copy = path.join(temp, 'loyalty-copy');
  loyaltyPackage(copy, '@crm/plugin-loyalty');
  fs.writeFileSync(path.join(root, 'crm.config.json'), JSON.stringify({ plugins: [copy] }));
  const run = await crm(['plugin', 'generate'], { CRM_ROOT: root });
  expect(run.code).toBe(1);
  expect(run.stderr).toContain(`two plugins are both named @crm/plugin-loyalty: ${path.join(root, 'plugins/loyalty')} (plugins/loyalty) and ${copy}`);
});

it('client generate writes the schema with every installed plugin, composed in-process or from a running gateway', async () => {
  const root = path.join(temp, 'client-root');
  fs.mkdirSync(root);
  // An outside plugin (named by path in the config), not a bundled one.
  fs.writeFileSync(path.join(root, 'crm.config.json'), JSON.stringify({ plugins: [path.join(repository, 'plugins/loyalty')] }));
  const out = path.join(temp, 'schema.graphql');
  const composed = await crm(['client', 'generate', '--out', out], { CRM_ROOT: root, CRM_PLUGINS: null });
  expect(composed.code, composed.stderr).toBe(0);
  expect(JSON.parse(composed.stdout.trim())).toMatchObject({ file: out, source: 'composed', clientTypes: null });
  expect(fs.readFileSync(out, 'utf8')).toMatch(/loyalty/i);

  const gateway = await startTestGateway();
  try {
    const remote = path.join(temp, 'remote.graphql');
    const run = await crm(['client', 'generate', '--url', `${gateway.url}/graphql`, '--key', gateway.workspace.apiKey, '--out', remote], { CRM_ROOT: root });
    expect(run.code, run.stderr).toBe(0);
    expect(fs.readFileSync(remote, 'utf8')).toContain('type Query');
    const refused = await crm(['client', 'generate', '--url', `${gateway.url}/nowhere`, '--out', remote], { CRM_ROOT: root });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('without a schema');
  } finally {
    await gateway.close();
  }
});
