import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from '../src/data-dir-lock.js';
import { processStartTicks } from '../src/lock-owner.js';

// The embedded data directory's lock, raced by real processes (each imports the built module, as the gateway and
// the CLI do).

const built = new URL('../dist/data-dir-lock.js', import.meta.url).href;
const CONTENDER = `
import fs from 'node:fs';
import { lockDataDir } from ${JSON.stringify(built)};
const [dir, go] = process.argv.slice(1);
// Start together: every contender waits for the same signal file.
while (!fs.existsSync(go)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
let outcome;
try {
  lockDataDir(dir);
  outcome = 'locked';
} catch (error) {
  outcome = error.name === 'DataDirInUseError' ? 'busy' : 'error: ' + error.message;
}
process.stdout.write(outcome + '\\n');
// Holds the lock (if it got it) until the test closes stdin.
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
`;

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

function tempDataDir(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-lock-'));
  roots.push(root);
  return root;
}

/** A pid that ran and is gone. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

function contender(dir: string, go: string): { child: ChildProcessWithoutNullStreams; outcome: Promise<string> } {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CONTENDER, dir, go]);
  let out = '';
  const outcome = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (code) => reject(new Error(`contender exited (${code}) before answering: ${out}`)));
  });
  return { child, outcome };
}

async function race(dir: string, count: number): Promise<string[]> {
  const go = path.join(dir, '..', `go-${Math.random()}`);
  const contenders = Array.from({ length: count }, () => contender(dir, go));
  // Let them all reach the starting line, then go.
  await new Promise((resolve) => setTimeout(resolve, 500));
  fs.writeFileSync(go, '');
  try {
    return await Promise.all(contenders.map((c) => c.outcome));
  } finally {
    for (const { child } of contenders) child.stdin.end();
    await Promise.all(contenders.map(({ child }) => (child.exitCode === null ? new Promise((r) => child.once('exit', r)) : null)));
  }
}

describe('the embedded data directory lock', () => {
  it('lets exactly one of several processes take over a lock left by a dead process', async () => {
    // Several rounds: a racy takeover lets two contenders through only now and then.
    const staleLocks = () => [
      JSON.stringify({ pid: deadPid(), startTicks: 1, bootId: null }),
      String(deadPid()), // a lock written before locks named start times
    ];
    for (const stale of [...staleLocks(), ...staleLocks()]) {
      const dir = path.join(tempDataDir(), 'data');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, '.crm-lock'), stale);
      const outcomes = await race(dir, 6);
      expect(outcomes.filter((o) => o === 'locked')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'busy')).toHaveLength(5);
      // No takeover mutex is left behind.
      expect(fs.readdirSync(dir).filter((name) => name.includes('takeover'))).toEqual([]);
    }
  });

  it('takes over a lock naming a live process that is not its owner (a pid reused after a reboot)', () => {
    const dir = path.join(tempDataDir(), 'data');
    fs.mkdirSync(dir);
    const lockFile = path.join(dir, '.crm-lock');
    // The parent process runs, but it started at another time than the lock says.
    const ppid = process.ppid;
    fs.writeFileSync(lockFile, JSON.stringify({ pid: ppid, startTicks: (processStartTicks(ppid) ?? 0) + 12345, bootId: null }));
    let release = lockDataDir(dir);
    expect(JSON.parse(fs.readFileSync(lockFile, 'utf8')).pid).toBe(process.pid);
    release();

    // From another boot.
    fs.writeFileSync(lockFile, JSON.stringify({ pid: ppid, startTicks: processStartTicks(ppid), bootId: 'another-boot' }));
    release = lockDataDir(dir);
    release();

    // An old bare-pid lock written before the live process with that pid started.
    fs.writeFileSync(lockFile, String(ppid));
    fs.utimesSync(lockFile, new Date(Date.now() - 3_650 * 86_400_000), new Date(Date.now() - 3_650 * 86_400_000));
    release = lockDataDir(dir);
    expect(fs.existsSync(lockFile)).toBe(true);
    release();
    expect(fs.existsSync(lockFile)).toBe(false);
  });

  it('refuses a lock held by a running owner, in this process or another', async () => {
    const dir = path.join(tempDataDir(), 'data');
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
    expect(await race(dir, 2)).toEqual(['busy', 'busy']);
    release();
    expect((await race(dir, 3)).sort()).toEqual(['busy', 'busy', 'locked']);
  });
});
