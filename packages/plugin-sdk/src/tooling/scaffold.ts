// `crm plugin new <name>`: writes a plugin package that builds, has a first migration and a passing test.
import fs from 'node:fs';
import path from 'node:path';
import * as t from './scaffold-templates.js';

export type { SdkSource } from './scaffold-templates.js';

export interface ScaffoldOptions {
  /** kebab-case id, e.g. `gift-cards`. */
  id: string;
  /** Where the package goes. @default `<root>/plugins/<id>` */
  dir: string;
  /** The repository root (for tsconfig/vitest paths when the plugin lives inside it). */
  root: string;
  /**
   * Where a plugin outside the repository gets the SDK and the kit. @default the registry, `^<this SDK's version>`
   */
  sdk?: t.SdkSource;
}

export interface ScaffoldResult {
  dir: string;
  files: string[];
  insideRepository: boolean;
  packageName: string;
}

/** Whether `dir` is inside the repository `root` (a bundled plugin, linked as a workspace). */
export function isInside(dir: string, root: string): boolean {
  const relative = path.relative(path.resolve(dir), root);
  return relative !== '' && relative.split(path.sep).every((part) => part === '..');
}

export function scaffoldPlugin(options: ScaffoldOptions): ScaffoldResult {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(options.id)) throw new Error(`"${options.id}" is not a kebab-case plugin id (e.g. gift-cards)`);
  const dir = path.resolve(options.dir);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length) throw new Error(`${dir} already exists and is not empty`);
  const inside = isInside(dir, options.root);
  const n = t.names(options.id, inside ? path.relative(dir, options.root).split(path.sep).join('/') : null);
  const { base, build } = t.tsconfigs(n);
  const files: Record<string, string> = {
    'package.json': t.packageJson(n, inside ? null : (options.sdk ?? { kind: 'registry', version: `^${t.sdkVersion}` })),
    'tsconfig.json': base,
    'tsconfig.build.json': build,
    'vitest.config.ts': t.vitestConfig(),
    'README.md': t.readme(n),
    [`prisma/schema/${options.id}.prisma`]: t.schemaFragment(n),
    'src/index.ts': t.pluginSource(n),
    'test/global-setup.ts': t.globalSetup(n),
    [`test/${options.id}.test.ts`]: t.testSource(n),
    ...(inside ? {} : { '.gitignore': 'node_modules/\ndist/\n.crm-dev/\n' }),
  };
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  fs.mkdirSync(path.join(dir, 'prisma/migrations'), { recursive: true });
  return { dir, files: Object.keys(files), insideRepository: inside, packageName: n.packageName };
}
