import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface RunningServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts a server process and waits until `readyPath` answers 200 and, when given, until its stdout has printed a
 * line matching `readyLine` (the gateway prints its URLs once it has warmed up).
 */
export async function startServer(script: string, env: Record<string, string>, port: number, readyPath: string, readyLine?: RegExp): Promise<RunningServer> {
  // BENCH_CPU_PROF=<dir>: each server process writes a CPU profile there when it exits (node --cpu-prof).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, script], {
    cwd: repoRoot,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', readyLine ? 'pipe' : 'ignore', 'inherit'],
  });
  let printed = '';
  let linePrinted = !readyLine;
  child.stdout?.on('data', (chunk: Buffer) => {
    if (linePrinted) return;
    printed += chunk.toString();
    linePrinted = readyLine!.test(printed);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
    try {
      const response = await fetch(url + readyPath, { method: readyPath === '/graphql' ? 'POST' : 'GET', headers: { 'content-type': 'application/json' }, body: readyPath === '/graphql' ? '{"query":"{__typename}"}' : undefined });
      if (response.ok && linePrinted) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${script} did not become ready`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
