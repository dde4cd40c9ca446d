// `crm plugin new` and `crm plugin list`, run as child processes the way users run them.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testPostgresUrl } from '@crm/db/testing';
import { afterAll, expect, it } from 'vitest';

const cliMain = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-cli-plugin-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

function crm(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliMain, ...args], { env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

it('plugin new scaffolds a package with a schema fragment, a first migration, a test and a README', async () => {
  const dir = path.join(temp, 'gift-cards');
  const run = await crm(['plugin', 'new', 'gift-cards', '--dir', dir], { DATABASE_URL: testPostgresUrl() });
  expect(run.code, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout.trim());
  expect(result).toMatchObject({ plugin: 'gift-cards', dir, migration: expect.stringMatching(/^prisma\/migrations\/\d{14}_init$/) });
  const migration = fs.readFileSync(path.join(dir, result.migration, 'migration.sql'), 'utf8');
  expect(migration).toContain('CREATE TABLE "GiftCardsNote"');
  expect(migration).toContain('FOREIGN KEY ("customerId") REFERENCES "Customer"("id")');
  const source = fs.readFileSync(path.join(dir, 'src/index.ts'), 'utf8');
  expect(source).toContain("id: 'gift-cards'");
  expect(source).toContain("builder.mutationField('addGiftCardsNote'");
  expect(source).toContain("'customer.created': {");
  expect(fs.existsSync(path.join(dir, 'test/gift-cards.test.ts'))).toBe(true);
  expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toContain('npm run crm -- plugin new gift-cards');

  const again = await crm(['plugin', 'new', 'gift-cards', '--dir', dir]);
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
