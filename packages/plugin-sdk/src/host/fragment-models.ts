// The models a Prisma schema fragment declares, with the table each maps to: what two plugins (or a plugin and the
// core) must not both claim.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface DeclaredModel {
  name: string;
  /** `@@map("...")`, or the model's name. */
  table: string;
  file: string;
  /** Whether its `id` column is unique by itself (`@id` or `@unique` on it, `@@id([id])`, `@@unique([id])`). */
  idUnique: boolean;
}

const ID_FIELD_UNIQUE = /^\s*id\s+\S+[^\n]*@(?:id|unique)\b/m;
const ID_ALONE_UNIQUE = /@@(?:id|unique)\(\s*(?:fields:\s*)?\[\s*id\s*\]/;

/** A string literal (kept: `"http://…"` is no comment) or a `//` comment (to the line's end, dropped). */
const STRING_OR_COMMENT = /"(?:[^"\\\n]|\\.)*"|\/\/[^\n]*/g;
/** `source` without its comments: an attribute inside one (`// was @unique`) declares nothing. */
const withoutComments = (source: string) => source.replace(STRING_OR_COMMENT, (match) => (match.startsWith('"') ? match : ''));

const MODEL_BLOCK = /^\s*model\s+(\w+)\s*\{([\s\S]*?)^\}/gm;
const MAP = /@@map\(\s*(?:name:\s*)?"([^"]+)"/;

export function declaredModels(fileOrFolder: string): DeclaredModel[] {
  if (!fs.existsSync(fileOrFolder)) return [];
  const files = fs.statSync(fileOrFolder).isDirectory()
    ? fs.readdirSync(fileOrFolder).filter((f) => f.endsWith('.prisma')).sort().map((f) => path.join(fileOrFolder, f))
    : [fileOrFolder];
  return files.flatMap((file) =>
    [...withoutComments(fs.readFileSync(file, 'utf8')).matchAll(MODEL_BLOCK)].map((m) => ({
      name: m[1]!,
      table: MAP.exec(m[2]!)?.[1] ?? m[1]!,
      file,
      idUnique: ID_FIELD_UNIQUE.test(m[2]!) || ID_ALONE_UNIQUE.test(m[2]!),
    })),
  );
}

let core: readonly DeclaredModel[] | null = null;

/** The core's models (@crm/db's schema folder; the composed plugin fragments sit in its `plugins/` subfolder). */
export function coreModels(): readonly DeclaredModel[] {
  if (!core) {
    const entry = createRequire(import.meta.url).resolve('@crm/db');
    core = declaredModels(path.join(path.dirname(entry), '..', 'prisma', 'schema'));
  }
  return core;
}
