import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI (`crm`), as users run it. */
export const cliMain = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface NodeRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a Node script (the CLI by default) as a child process with extra environment variables; never rejects. */
export function runNode(args: string[], options: { script?: string; env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<NodeRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [options.script ?? cliMain, ...args],
      { env: { ...process.env, ...options.env }, cwd: options.cwd, timeout: options.timeoutMs ?? 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
