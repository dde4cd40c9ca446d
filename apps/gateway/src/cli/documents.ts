import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { manifestFromSources } from '../trusted-documents-manifest.js';
import { options } from './args.js';
import type { CliCommand } from './command.js';

const repository = fileURLToPath(new URL('../../../../', import.meta.url));
/** The dashboard's documents: its own, and the client library's it uses (the live events subscription). */
const DASHBOARD_SOURCES = ['apps/dashboard/src', 'packages/client/src'];

export const documentsManifest: CliCommand = {
  summary: 'writes the trusted documents manifest of a client (the dashboard by default)',
  usage: '[--from DIR,DIR] [--out FILE]',
  help: [
    'Collects every operation written in graphql(`…`) calls under the folders, with its fragments, as a manifest',
    '{"<sha256>": "<document>"} for CRM_TRUSTED_DOCUMENTS. Prints {"documents","written"} with --out, else the manifest.',
    '',
    `  --from DIRS  folders of .ts/.tsx sources, comma-separated (default: ${DASHBOARD_SOURCES.join(',')})`,
    '  --out FILE   where to write the manifest',
  ].join('\n'),
  prepare(argv) {
    const args = options(argv, { from: { type: 'string' }, out: { type: 'string' } });
    const from = args.from
      ? args.from.split(',').map((dir) => path.resolve(dir.trim()))
      : DASHBOARD_SOURCES.map((dir) => path.join(repository, dir));
    return {
      async offline() {
        const manifest = manifestFromSources(from);
        if (!args.out) return manifest;
        fs.writeFileSync(args.out, `${JSON.stringify(manifest, null, 2)}\n`);
        return { documents: Object.keys(manifest).length, written: path.resolve(args.out) };
      },
    };
  },
};
