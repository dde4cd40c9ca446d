// `crm plugin pack`: the SDK, the test kit and the @crm packages they need, packed with `npm pack` from a checkout.
// Until they are on npm (or to try unreleased changes), an outside plugin installs these tarballs instead.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

interface Manifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const read = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;

/** Package folders of the workspace by name (packages/*, apps/*). */
function workspacePackages(root: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const parent of ['packages', 'apps']) {
    const dir = path.join(root, parent);
    if (!fs.existsSync(dir)) continue;
    for (const entry of fs.readdirSync(dir)) {
      const folder = path.join(dir, entry);
      if (fs.existsSync(path.join(folder, 'package.json'))) found.set(read(folder).name, folder);
    }
  }
  return found;
}

/** The SDK and the kit, and every @crm package they depend on (transitively): what a plugin author installs. */
export function publishedPackages(root: string): Map<string, string> {
  const all = workspacePackages(root);
  const wanted = new Map<string, string>();
  const visit = (name: string) => {
    const dir = all.get(name);
    if (!dir || wanted.has(name)) return;
    const manifest = read(dir);
    if (manifest.private) throw new Error(`${name} is private but ${[...wanted.keys()].join(', ')} need it published`);
    wanted.set(name, dir);
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) if (dep.startsWith('@crm/')) visit(dep);
  };
  visit('@crm/plugin-sdk');
  visit('@crm/plugin-testing');
  return wanted;
}

/** Packs them (their dist must be built) into `destination`; returns each package's tarball path. */
export function packPublishedPackages(root: string, destination: string): Record<string, string> {
  fs.mkdirSync(destination, { recursive: true });
  const tarballs: Record<string, string> = {};
  for (const [name, dir] of publishedPackages(root)) {
    if (!fs.existsSync(path.join(dir, 'dist'))) throw new Error(`${name} is not built (${dir}/dist): npm run build first`);
    const output = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const [packed] = JSON.parse(output) as { filename: string }[];
    tarballs[name] = path.join(destination, packed!.filename);
  }
  return tarballs;
}
