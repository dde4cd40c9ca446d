// Two packages that claim the same plugin id (a copy of the tutorial's plugin under another package name, say): the
// start is refused with both packages named, whichever way they were selected; no silent pick of the first found.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pluginHostFromEnvironment, PluginHostError } from '../src/host/index.js';

const sdkDir = fileURLToPath(new URL('..', import.meta.url));
let root: string;

function writePlugin(dir: string, packageName: string, id: string) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: packageName, version: '1.0.0', type: 'module', exports: './index.js' }));
  fs.writeFileSync(path.join(dir, 'index.js'), `import { definePlugin } from '@crm/plugin-sdk';\nexport default definePlugin({ id: '${id}', version: '1.0.0' });\n`);
}

async function refusal(env: NodeJS.ProcessEnv) {
  try {
    await pluginHostFromEnvironment({ root, env });
  } catch (error) {
    if (error instanceof PluginHostError) return error.message;
    throw error;
  }
  throw new Error('expected the host to refuse');
}

beforeAll(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crm-clash-')));
  fs.mkdirSync(path.join(root, 'node_modules/@crm'), { recursive: true });
  fs.symlinkSync(sdkDir, path.join(root, 'node_modules/@crm/plugin-sdk'), 'dir');
  writePlugin(path.join(root, 'plugins/nps'), '@crm/plugin-nps', 'nps');
  writePlugin(path.join(root, 'elsewhere/nps-copy'), 'acme-nps', 'nps');
  fs.writeFileSync(path.join(root, 'crm.config.json'), JSON.stringify({ plugins: ['nps', './elsewhere/nps-copy'] }));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

it('refuses two packages with the same plugin id, naming both, selected by crm.config.json or CRM_PLUGINS', async () => {
  const both = `two enabled plugins have this id: package @crm/plugin-nps at ${path.join(root, 'plugins/nps')} (bundled) and package acme-nps at ${path.join(root, 'elsewhere/nps-copy')} (crm.config.json entry ./elsewhere/nps-copy)`;
  expect(await refusal({})).toContain(`  nps: id: ${both}`);
  expect(await refusal({ CRM_PLUGINS: 'nps' })).toContain(`  nps: id: ${both}`);
});
