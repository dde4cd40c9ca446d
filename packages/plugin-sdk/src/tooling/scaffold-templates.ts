// The files `crm plugin new <name>` writes: a working plugin with a schema fragment, one type, one mutation, one
// subscriber, one passing test and a README. Kept as template functions so the scaffold stays one readable file.

import fs from 'node:fs';

/** This SDK's version: what a new plugin depends on. */
export const sdkVersion = (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface ScaffoldNames {
  /** kebab-case plugin id: `gift-cards` */
  id: string;
  /** PascalCase: `GiftCards` */
  pascal: string;
  /** camelCase: `giftCards` */
  camel: string;
  /** npm package name */
  packageName: string;
  /** Relative path from the plugin folder to the repository root, when inside it (for tsconfig/vitest); null outside. */
  repoRoot: string | null;
}

/** Bundled plugins are `@crm/plugin-<id>`; an outside one is the author's package, `crm-plugin-<id>` to start with. */
export const names = (id: string, repoRoot: string | null): ScaffoldNames => {
  const pascal = id.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return { id, pascal, camel: pascal[0]!.toLowerCase() + pascal.slice(1), packageName: repoRoot ? `@crm/plugin-${id}` : `crm-plugin-${id}`, repoRoot };
};

/** Where an outside plugin gets the SDK and the kit: npm (a version range), or tarballs packed from a checkout. */
export type SdkSource = { kind: 'registry'; version: string } | { kind: 'tarballs'; files: Record<string, string> };

/** Tool versions an outside plugin builds and tests with (the host's own). */
const toolVersions = { graphql: '16.15.0', typescript: '5.9.3', vitest: '4.1.12', '@types/node': '20.19.43' };

export function packageJson(n: ScaffoldNames, sdk: SdkSource | null): string {
  const common = {
    version: '0.1.0',
    type: 'module',
    description: `${n.pascal} notes on customers (a CRM plugin)`,
    exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
  };
  if (!sdk) {
    return `${JSON.stringify(
      {
        name: n.packageName,
        private: true,
        ...common,
        scripts: { build: 'tsc -p tsconfig.build.json', typecheck: 'tsc -p tsconfig.json --noEmit', test: 'vitest run' },
        dependencies: { '@crm/plugin-sdk': '0.1.0' },
        devDependencies: { '@crm/plugin-testing': '0.1.0' },
      },
      null,
      2,
    )}\n`;
  }
  const spec = (name: string) => (sdk.kind === 'registry' ? sdk.version : `file:${sdk.files[name]}`);
  // Tarballs of a checkout: every @crm package the kit needs comes from them, not from the registry.
  const overrides = sdk.kind === 'tarballs' ? Object.fromEntries(Object.entries(sdk.files).filter(([name]) => name !== '@crm/plugin-testing').map(([name, file]) => [name, `file:${file}`])) : undefined;
  return `${JSON.stringify(
    {
      name: n.packageName,
      ...common,
      license: 'MIT',
      keywords: ['crm-plugin'],
      types: './dist/index.d.ts',
      files: ['dist', 'prisma'],
      scripts: {
        // The one Prisma client, composed from core + this plugin's fragment, in node_modules/@crm/db.
        generate: 'crm plugin generate .',
        prepare: 'crm plugin generate .',
        build: 'crm plugin generate . && tsc -p tsconfig.build.json',
        typecheck: 'crm plugin generate . && tsc -p tsconfig.json --noEmit',
        pretest: 'crm plugin generate .',
        test: 'vitest run',
        migration: 'crm plugin migration .',
        dev: 'crm plugin dev .',
        prepublishOnly: 'npm run build && npm test',
      },
      // The host provides the SDK: one copy of it (and of graphql, Pothos, zod) in the host's tree.
      peerDependencies: { '@crm/plugin-sdk': `^${sdkVersion}` },
      devDependencies: { '@crm/plugin-sdk': spec('@crm/plugin-sdk'), '@crm/plugin-testing': spec('@crm/plugin-testing'), ...toolVersions },
      ...(overrides ? { overrides } : {}),
    },
    null,
    2,
  )}\n`;
}

export function tsconfigs(n: ScaffoldNames): { base: string; build: string } {
  const extendsBase = n.repoRoot ? `"extends": "${n.repoRoot}/tsconfig.base.json",\n  ` : '';
  const standalone = n.repoRoot
    ? ''
    : '"target": "ES2023", "lib": ["ES2023"], "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true, "skipLibCheck": true, "declaration": true, "verbatimModuleSyntax": true, "types": ["node"], ';
  return {
    base: `{\n  ${extendsBase}"compilerOptions": { ${standalone}"rootDir": ".", "noEmit": true },\n  "include": ["src", "test", "*.ts"]\n}\n`,
    build: `{\n  ${extendsBase}"compilerOptions": { ${standalone}"rootDir": "src", "outDir": "dist" },\n  "include": ["src"]\n}\n`,
  };
}

export function vitestConfig(): string {
  return `import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // One copy of graphql: Vite would otherwise load its ESM build beside the CommonJS one the SDK uses.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: { include: ['test/**/*.test.ts'], globalSetup: ['./test/global-setup.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
});
`;
}

export function schemaFragment(n: ScaffoldNames): string {
  return `// ${n.pascal}: the plugin's tables. Every model has a workspaceId (rows are tenant-scoped like core rows) and
// refers to core rows by id columns: \`crm plugin migration\` writes a foreign key for each \`<coreModel>Id\` column
// (customerId → Customer, ON DELETE CASCADE; docs/plugins/architecture.md).

/// A note about a customer.
model ${n.pascal}Note {
  id          String   @id @default(uuid(7)) @db.Uuid
  workspaceId String   @db.Uuid
  customerId  String   @db.Uuid
  text        String
  createdAt   DateTime @default(now()) @db.Timestamptz(3)

  @@index([workspaceId, customerId])
}
`;
}

export function pluginSource(n: ScaffoldNames): string {
  return `// The ${n.id} plugin: notes on customers. Start here; docs/plugins/ explains every option of definePlugin.
import { definePlugin, globalId, type Models, parseInput, rowId, z } from '@crm/plugin-sdk';

// The events this plugin publishes, added to the event map (typed emit, typed subscribers elsewhere).
declare module '@crm/plugin-sdk' {
  interface CrmEventMap {
    '${n.id}.note_added': { customerId: string };
  }
}

const noteInput = z.object({ text: z.string().trim().min(1, 'Must not be empty').max(2000, 'At most 2,000 characters') });

export const ${n.camel} = definePlugin({
  id: '${n.id}',
  version: '0.1.0',
  requires: { core: '^0.1.0' },
  prisma: new URL('../prisma/schema', import.meta.url),
  migrations: new URL('../prisma/migrations', import.meta.url),
  settings: z.object({ welcomeNote: z.string().default('Welcome aboard!') }),
  permissions: {
    read: { roles: ['READ_ONLY', 'MEMBER', 'ADMIN'] },
    write: { roles: ['MEMBER', 'ADMIN'] },
  },
  events: { '${n.id}.note_added': { subject: '${n.pascal}Note' } },

  graphql(builder, plugin) {
    const Note = builder.prismaNode('${n.pascal}Note', {
      id: { field: 'id' },
      fields: (t) => ({
        text: t.exposeString('text'),
        createdAt: t.expose('createdAt', { type: 'DateTime' }),
        customerId: t.id({ resolve: (note) => globalId('Customer', note.customerId) }),
      }),
    });

    // A field on the core Customer type, batched: one query per page of customers.
    const notesOf = plugin.loader<string, Models.${n.pascal}Note[]>(async (customerIds, context) => {
      const rows = await plugin.authorize(context, 'read').db.${n.camel}Note.findMany({
        where: { customerId: { in: [...customerIds] } },
        orderBy: { createdAt: 'asc' },
      });
      const byCustomer = new Map<string, Models.${n.pascal}Note[]>();
      for (const row of rows) byCustomer.set(row.customerId, [...(byCustomer.get(row.customerId) ?? []), row]);
      return byCustomer;
    });
    builder.prismaObjectField('Customer', '${n.camel}Notes', (t) =>
      t.field({ type: [Note], resolve: async (customer, _args, context) => (await notesOf.load(context, customer.id)) ?? [] }),
    );

    const Input = builder.inputType('Add${n.pascal}NoteInput', {
      fields: (t) => ({ customerId: t.id({ required: true }), text: t.string({ required: true }) }),
    });
    const Payload = builder.objectRef<{ note: Models.${n.pascal}Note }>('Add${n.pascal}NotePayload').implement({
      fields: (t) => ({ note: t.field({ type: Note, resolve: (p) => p.note }) }),
    });
    builder.mutationField('add${n.pascal}Note', (t) =>
      t.field({
        type: Payload,
        args: { input: t.arg({ type: Input, required: true }) },
        resolve: (_root, { input }, context) =>
          plugin.run(context, 'write', async ({ tx, emit, session }) => {
            const { text } = parseInput(noteInput, input);
            const customerId = rowId(input.customerId, 'Customer', 'customerId');
            const note = await tx.${n.camel}Note.create({ data: { workspaceId: session.workspaceId, customerId, text } });
            emit('${n.id}.note_added', { type: '${n.pascal}Note', id: note.id }, { customerId });
            return { note };
          }),
      }),
    );
  },

  subscribers: {
    // After commit, retried if it throws, once per event even when delivered twice.
    'customer.created': {
      welcome: async (event, { tx, settings }) => {
        await tx.${n.camel}Note.create({ data: { workspaceId: event.workspaceId, customerId: event.subjectId, text: settings.welcomeNote } });
      },
    },
  },
});

export default ${n.camel};
`;
}

export function globalSetup(n: ScaffoldNames): string {
  return `import { preparePluginDatabase } from '@crm/plugin-testing';
import { ${n.camel} } from '../src/index.js';

export default () => preparePluginDatabase([${n.camel}]);
`;
}

export function testSource(n: ScaffoldNames): string {
  return `import { type PluginTestGateway, startPluginTestGateway } from '@crm/plugin-testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ${n.camel} } from '../src/index.js';

let kit: PluginTestGateway;
beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [${n.camel}] });
});
afterAll(async () => {
  await kit?.close();
});

it('welcomes a new customer with a note, and adds notes by mutation', async () => {
  const client = kit.workspace.client;
  const created = await client.query(\`mutation { createCustomer(input: { name: "Nina New" }) { customer { id } } }\`);
  const customerId = created.createCustomer.customer.id;
  await kit.settled(); // the subscriber runs after commit

  await client.query(\`mutation ($id: ID!) { add${n.pascal}Note(input: { customerId: $id, text: "Likes green tea" }) { note { text } } }\`, { id: customerId });
  const data = await client.query(\`query ($id: ID!) { customer(id: $id) { ${n.camel}Notes { text } } }\`, { id: customerId });
  expect(data.customer.${n.camel}Notes).toEqual([{ text: 'Welcome aboard!' }, { text: 'Likes green tea' }]);
});
`;
}

export function readme(n: ScaffoldNames): string {
  const commands = n.repoRoot
    ? `npm test -w ${n.packageName}                          # the plugin's test
npm run crm -- plugin migration plugins/${n.id} <name>  # after changing prisma/schema/
npm run crm -- plugin dev plugins/${n.id}               # a gateway that reloads on every save
CRM_PLUGINS=${n.id} npm start                         # a gateway with only this plugin`
    : `npm install                     # also composes the Prisma client with this plugin's models (npm run generate)
npm test                        # a real gateway with this plugin on an in-memory database
npm run migration -- <name>     # after changing prisma/schema/: the next migration, foreign keys to core rows included
npm run dev                     # a gateway with this plugin on http://127.0.0.1:4000, reloaded on every save
npm publish                     # builds and tests first (prepublishOnly)`;
  return `# ${n.packageName}

Notes on customers: a starting point made by \`crm plugin new ${n.id}\`.

- \`prisma/schema/\`: the plugin's tables (composed with core's into the one Prisma client)
- \`prisma/migrations/\`: its migrations
- \`src/index.ts\`: \`definePlugin({...})\`: a type (\`${n.pascal}Note\`), a field on \`Customer\` (\`${n.camel}Notes\`),
  a mutation (\`add${n.pascal}Note\`), a subscriber (a welcome note on \`customer.created\`), settings, permissions
- \`test/\`: a real gateway with this plugin on an in-memory database (\`@crm/plugin-testing\`)

\`\`\`sh
${commands}
\`\`\`

The guide: docs/plugins/first-plugin.md in the CRM repository (tutorial, API reference, architecture).
`;
}
