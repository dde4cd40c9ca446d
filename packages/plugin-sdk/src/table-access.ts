// Which tables a plugin's raw SQL may read: the core's tenant tables and the plugin's own, never another plugin's.
// Worked out from the schema files (core's beside @crm/db's generator, the plugin's fragment) and the generated
// client's model list, once per plugin.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { getDatamodel } from '@crm/db';

export interface TableAccess {
  /** Tables the plugin may read, each scoped to the workspace by its `workspaceId` (`Workspace` by its `id`). */
  readonly readable: ReadonlySet<string>;
  /** Every model of the composed client: a name here but not in `readable` belongs to another plugin. */
  readonly known: ReadonlySet<string>;
}

const MODEL = /^\s*model\s+(\w+)\s*\{/gm;

/** Model names declared in a `.prisma` file or in the `.prisma` files directly inside a folder. */
export function modelsDeclaredIn(fileOrFolder: string): string[] {
  if (!fs.existsSync(fileOrFolder)) return [];
  const files = fs.statSync(fileOrFolder).isDirectory()
    ? fs.readdirSync(fileOrFolder).filter((f) => f.endsWith('.prisma')).map((f) => path.join(fileOrFolder, f))
    : [fileOrFolder];
  return files.flatMap((file) => [...fs.readFileSync(file, 'utf8').matchAll(MODEL)].map((m) => m[1]!));
}

let coreModels: readonly string[] | null = null;

/** The core's models: those of @crm/db's schema folder (the composed plugin fragments sit in its `plugins/` subfolder). */
function coreModelNames(): readonly string[] {
  if (!coreModels) {
    const entry = createRequire(import.meta.url).resolve('@crm/db');
    coreModels = modelsDeclaredIn(path.join(path.dirname(entry), '..', 'prisma', 'schema'));
  }
  return coreModels;
}

/** The tables `pluginPrisma` (the plugin's schema fragment, or null) lets its plugin read. */
export function tableAccessFor(pluginPrisma: string | null): TableAccess {
  const models = getDatamodel().datamodel.models as Partial<Record<string, { fields: readonly { name: string }[] }>>;
  const known = new Set(Object.keys(models));
  const tenant = (name: string) => name === 'Workspace' || Boolean(models[name]?.fields.some((f) => f.name === 'workspaceId'));
  const own = pluginPrisma ? modelsDeclaredIn(pluginPrisma) : [];
  const readable = new Set([...coreModelNames(), ...own].filter((name) => known.has(name) && tenant(name)));
  return { readable, known };
}
