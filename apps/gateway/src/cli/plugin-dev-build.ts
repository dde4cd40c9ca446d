// Building a plugin in the dev loop: a save transpiles the changed files alone (TypeScript's transpileModule, a few
// milliseconds each, no type-check), so the gateway restarts at once; the type-check runs afterwards, in the
// background, and reports without blocking the loop. The first build is a full `tsc` (declarations included).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

type TypeScript = typeof import('typescript');

export class PluginBuilder {
  private readonly ts: TypeScript;
  private readonly tsc: string;
  private typecheck: ChildProcess | null = null;

  constructor(private readonly dir: string) {
    const require = createRequire(path.join(dir, 'package.json'));
    this.ts = require('typescript') as TypeScript;
    this.tsc = require.resolve('typescript/bin/tsc');
  }

  /** The full build (tsc -p tsconfig.build.json, incremental). Throws with the compiler's output. */
  full() {
    const result = spawnSync(process.execPath, [this.tsc, '-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', '.crm-dev/build.tsbuildinfo'], {
      cwd: this.dir,
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`the plugin does not build:\n${result.stdout}${result.stderr}`.trim());
  }

  /** Transpiles the changed source files (paths relative to the plugin folder) into the build's outDir. */
  changed(files: readonly string[]) {
    const ts = this.ts;
    const configFile = path.join(this.dir, 'tsconfig.build.json');
    const { config } = ts.readConfigFile(configFile, ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, this.dir);
    const rootDir = parsed.options.rootDir ?? path.join(this.dir, 'src');
    const outDir = parsed.options.outDir ?? path.join(this.dir, 'dist');
    for (const file of files) {
      const source = path.join(this.dir, file);
      if (!/\.(m?ts|tsx)$/.test(file) || file.endsWith('.d.ts') || !fs.existsSync(source)) continue;
      const relative = path.relative(rootDir, source);
      if (relative.startsWith('..')) continue;
      // ES modules: transpileModule cannot see package.json's "type", and NodeNext alone would give CommonJS.
      const compilerOptions = { ...parsed.options, module: ts.ModuleKind.ES2022, sourceMap: false, declaration: false };
      const output = ts.transpileModule(fs.readFileSync(source, 'utf8'), { compilerOptions, fileName: source });
      const target = path.join(outDir, relative.replace(/\.(m?)tsx?$/, '.$1js'));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, output.outputText);
    }
  }

  /**
   * In the background (a new check replaces a running one): brings the client's declarations up to date (`crm plugin
   * generate`, which skips what is current), then type-checks the whole plugin; reports through `done`.
   */
  checkInBackground(generate: readonly string[], done: (result: { ok: boolean; errors: string }) => void) {
    this.typecheck?.kill();
    const steps = [generate, [this.tsc, '-p', 'tsconfig.json', '--noEmit']];
    let output = '';
    const next = (index: number) => {
      const child = spawn(process.execPath, steps[index]!, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
      this.typecheck = child;
      child.stdout!.on('data', (chunk: Buffer) => (output += index ? chunk.toString() : ''));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code, signal) => {
        if (this.typecheck !== child || signal) return; // replaced by a newer check
        this.typecheck = null;
        if (code === 0 && index + 1 < steps.length) return next(index + 1);
        done({ ok: code === 0, errors: output.trim() });
      });
    };
    next(0);
  }

  stop() {
    this.typecheck?.kill();
  }
}
