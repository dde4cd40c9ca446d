// crm.config.json: `{ "plugins": ["loyalty", "./path/to/plugin", "package-name"] }`.
import fs from 'node:fs';

/**
 * Adds an entry to the config file. A new file starts with `currentlyEnabled` (what ran without it: every bundled
 * plugin), so adding an outside plugin does not silently switch the bundled ones off.
 */
export function addToConfig(file: string, entry: string, currentlyEnabled: readonly string[]): { created: boolean; plugins: string[] } {
  const exists = fs.existsSync(file);
  const config = exists ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { plugins?: string[] }) : { plugins: [...currentlyEnabled] };
  const plugins = config.plugins ?? [];
  if (!plugins.includes(entry)) plugins.push(entry);
  fs.writeFileSync(file, `${JSON.stringify({ ...config, plugins }, null, 2)}\n`);
  return { created: !exists, plugins };
}
