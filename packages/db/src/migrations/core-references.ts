// Foreign keys from a plugin's tables to core rows. A Prisma relation from a plugin model to a core model would need a
// back-relation field on the core model (P1012), so plugin models refer to core rows by plain id columns; this file
// derives the foreign keys those columns mean, so that `crm plugin migration` writes them:
//
//   - a field `<name>Id String` whose `<Name>` is a core model refers to that model's `id` (`customerId` → Customer,
//     `workspaceId` → Workspace, `dealId` → Deal);
//   - a `/// @references(Model)` line in the field's doc comment names the model when the name does not say it
//     (`ownerId String? @db.Uuid` with `/// @references(User)`); `/// @references(none)` opts a column out;
//   - required columns cascade (`ON DELETE CASCADE`: a deleted customer takes the plugin's rows along), optional
//     ones are cleared (`ON DELETE SET NULL`).
// Fields already part of a Prisma relation in the fragment (relations between the plugin's own models) are left to
// the schema engine.
import type { SchemaFile } from './schema-engine.js';

interface ModelInfo {
  name: string;
  table: string;
  fields: { name: string; column: string; type: string; optional: boolean; references: string | null }[];
  relationFields: Set<string>;
}

/** Models of Prisma schema text: names, table names (@@map) and scalar fields (@map), with their doc comments. */
export function parseModels(text: string): ModelInfo[] {
  const models: ModelInfo[] = [];
  for (const match of text.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const [, name, body] = match as unknown as [string, string, string];
    const model: ModelInfo = { name, table: /@@map\(\s*"([^"]+)"/.exec(body)?.[1] ?? name, fields: [], relationFields: new Set() };
    let doc: string[] = [];
    for (const raw of body.split('\n')) {
      const line = raw.trim();
      if (line.startsWith('///')) {
        doc.push(line);
        continue;
      }
      const field = /^(\w+)\s+(\w+)(\?|\[\])?(.*)$/.exec(line);
      if (field && !line.startsWith('@@')) {
        const [, fieldName, type, modifier, rest] = field as unknown as [string, string, string, string | undefined, string];
        for (const fk of rest.matchAll(/@relation\([^)]*fields:\s*\[([^\]]*)\]/g)) {
          for (const f of fk[1]!.split(',')) model.relationFields.add(f.trim());
        }
        const references = /@references\(\s*(\w+)\s*\)/.exec(doc.join('\n'))?.[1] ?? null;
        model.fields.push({ name: fieldName, column: /@map\(\s*"([^"]+)"/.exec(rest)?.[1] ?? fieldName, type, optional: modifier === '?', references });
      }
      doc = [];
    }
    models.push(model);
  }
  return models;
}

export interface CoreReference {
  table: string;
  column: string;
  target: string;
  targetTable: string;
  optional: boolean;
}

export interface CoreReferences {
  references: CoreReference[];
  /** `<Model>.<field>` columns named like references whose model is neither core nor the plugin's (no key written). */
  unresolved: string[];
}

/** The references to core rows that a plugin's fragment declares (by name or by `/// @references(Model)`). */
export function coreReferences(core: readonly SchemaFile[], fragment: readonly SchemaFile[]): CoreReferences {
  const coreModels = new Map(core.flatMap((f) => parseModels(f.content)).map((m) => [m.name, m]));
  const own = fragment.flatMap((f) => parseModels(f.content));
  const ownNames = new Set(own.map((m) => m.name));
  const result: CoreReferences = { references: [], unresolved: [] };
  for (const model of own) {
    for (const field of model.fields) {
      if (field.type !== 'String' || model.relationFields.has(field.name)) continue;
      const named = /^(\w+)Id$/.exec(field.name)?.[1];
      const wanted = field.references ?? (named ? named[0]!.toUpperCase() + named.slice(1) : null);
      if (!wanted || wanted === 'none') continue;
      const target = coreModels.get(wanted);
      if (target) result.references.push({ table: model.table, column: field.column, target: target.name, targetTable: target.table, optional: field.optional });
      else if (!ownNames.has(wanted)) result.unresolved.push(`${model.name}.${field.name}`);
    }
  }
  return result;
}

/** Columns a migration script creates: every column of a `CREATE TABLE` and every `ADD COLUMN`. */
function createdColumns(script: string): Set<string> {
  const created = new Set<string>();
  for (const table of script.matchAll(/CREATE TABLE "([^"]+)" \(([\s\S]*?)\n\);/g)) {
    for (const column of table[2]!.matchAll(/^\s*"([^"]+)"/gm)) created.add(`${table[1]}.${column[1]}`);
  }
  for (const alter of script.matchAll(/ALTER TABLE "([^"]+)" ([\s\S]*?);/g)) {
    for (const column of alter[2]!.matchAll(/ADD COLUMN\s+"([^"]+)"/g)) created.add(`${alter[1]}.${column[1]}`);
  }
  return created;
}

/** The `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY` statements for the core references the script's new columns make. */
export function coreForeignKeys(script: string, references: readonly CoreReference[]): string[] {
  const created = createdColumns(script);
  return references
    .filter((r) => created.has(`${r.table}.${r.column}`))
    .map(
      (r) =>
        `ALTER TABLE "${r.table}" ADD CONSTRAINT "${r.table}_${r.column}_fkey" FOREIGN KEY ("${r.column}") REFERENCES "${r.targetTable}"("id") ON DELETE ${r.optional ? 'SET NULL' : 'CASCADE'} ON UPDATE CASCADE;`,
    );
}
