// What a fragment's models declare is read from the schema, not from its comments: an `@unique` (or a model) inside
// a `//` comment declares nothing, while `//` inside a string (a URL default) is no comment.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { declaredModels } from '../src/host/fragment-models.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fragment-models-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('ignores attributes and models inside // comments', () => {
  const file = path.join(dir, 'models.prisma');
  fs.writeFileSync(
    file,
    [
      'model Commented {',
      '  id          String // was @unique before it became per-workspace',
      '  workspaceId String @db.Uuid',
      '  url         String @default("http://example.test/@unique")',
      '  // @@id([id])',
      '  @@id([workspaceId, id])',
      '  // @@map("other_table")',
      '}',
      '',
      'model Unique {',
      '  id  String @id // the key',
      '  url String @default("https://example.test") // a // in a string is kept',
      '}',
      '// model Ghost {',
      '//   id String @id',
      '// }',
    ].join('\n'),
  );
  expect(declaredModels(file).map(({ name, table, idUnique }) => ({ name, table, idUnique }))).toEqual([
    { name: 'Commented', table: 'Commented', idUnique: false },
    { name: 'Unique', table: 'Unique', idUnique: true },
  ]);
});
