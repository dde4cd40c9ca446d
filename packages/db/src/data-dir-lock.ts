import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { lockOwnerAlive, parseLockOwner, thisProcess } from './lock-owner.js';

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database at ${dataDir} is in use by another process (pid ${pid}), probably a running gateway. ` +
        `PGlite allows one process per data directory: stop that process first, or run the gateway and the CLI ` +
        `against PostgreSQL (DATABASE_URL).`,
    );
    this.name = 'DataDirInUseError';
  }
}

const LOCK_NAME = '.crm-lock';
/** How many times the lock is looked at again while another process is taking over a stale one. */
const ATTEMPTS = 200;
const RETRY_MS = 10;
/** An empty takeover mutex this old was left by a process that died between creating and writing it. */
const ABANDONED_MUTEX_MS = 5_000;

function mtimeOf(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isErrno(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException)?.code === code;
}

/** The lock file as found: its inode (which file it is) and its owner; null when there is none. */
function readLock(lockFile: string): { ino: number; text: string } | null {
  let fd: number;
  try {
    fd = fs.openSync(lockFile, 'r');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null;
    throw error;
  }
  try {
    return { ino: fs.fstatSync(fd).ino, text: fs.readFileSync(fd, 'utf8') };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Takes an exclusive, process-level lock on an embedded data directory. The lock file names its owner by pid,
 * process start time and boot id (lock-owner.ts), so a lock left by a process that died, or from before a reboot
 * (whose pid may now belong to an unrelated live process), is recognised as stale. Taking over a stale lock is
 * atomic: see {@link takeOver}. Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, LOCK_NAME);
  const mine = JSON.stringify(thisProcess());
  const release = () => {
    // Only our own lock: never one a process took over from us (it judged ours stale, wrongly or not).
    if (readLock(lockFile)?.text === mine) fs.rmSync(lockFile, { force: true });
  };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (createWhole(lockFile, mine)) return release;
    const held = readLock(lockFile);
    if (!held) continue; // released meanwhile: try again
    const owner = parseLockOwner(held.text);
    if (held.text === mine || (owner && lockOwnerAlive(owner, lockFile))) throw new DataDirInUseError(dataDir, owner?.pid ?? process.pid);
    if (takeOver(lockFile, held.ino, mine)) return release;
    sleep(RETRY_MS); // another process is taking over, or just did: look again
  }
  throw new Error(`Could not lock ${dataDir}: its lock file keeps changing`);
}

/**
 * Creates `file` holding `text`, or returns false when it exists. Written aside and hard-linked into place, so the
 * file never exists empty: a plain `wx` create and a write are two steps, and a process reading between them would
 * judge the empty lock stale and take it over (two owners).
 */
function createWhole(file: string, text: string): boolean {
  const temp = path.join(path.dirname(file), `${path.basename(file)}.${process.pid}.${randomUUID()}`);
  fs.writeFileSync(temp, text, { flag: 'wx' });
  try {
    fs.linkSync(temp, file);
    return true;
  } catch (error) {
    if (!isErrno(error, 'EEXIST')) throw error;
    return false;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/**
 * Replaces the stale lock file `ino` with ours, or returns false when another process is doing (or did) so.
 *
 * Only the holder of a takeover mutex may replace a stale lock, and it re-checks under the mutex that the lock file
 * is still the very file judged stale before it renames its own over it (an atomic replace: the lock file never
 * disappears, so no plain `wx` create can slip in). The mutex is a file created with `wx` and named after the
 * stale file's inode, so it only serves that takeover. A mutex whose holder died mid-takeover is never deleted
 * (deleting it would race); the next one, `-1`, `-2`…, is used instead, and all are removed by the winner.
 */
function takeOver(lockFile: string, ino: number, mine: string): boolean {
  const mutexPrefix = `${path.basename(lockFile)}.takeover-${ino}-`;
  const dir = path.dirname(lockFile);
  for (let level = 0; ; level++) {
    const mutex = path.join(dir, `${mutexPrefix}${level}`);
    try {
      fs.writeFileSync(mutex, mine, { flag: 'wx' });
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
      const holder = readLock(mutex);
      if (!holder) return false; // the takeover finished and was cleaned up
      const owner = parseLockOwner(holder.text);
      if (owner && lockOwnerAlive(owner, mutex)) return false; // someone is taking over right now
      // Created but not yet written (creating and writing are two steps): its holder is at work, unless the empty
      // file is old enough that its holder must have died between the two.
      if (!owner && Date.now() - mtimeOf(mutex) < ABANDONED_MUTEX_MS) return false;
      continue; // its holder died mid-takeover
    }
    try {
      if (readLock(lockFile)?.ino !== ino) return false; // replaced meanwhile: no longer the stale lock
      const temp = path.join(dir, `${path.basename(lockFile)}.${process.pid}.${randomUUID()}`);
      fs.writeFileSync(temp, mine, { flag: 'wx' });
      fs.renameSync(temp, lockFile);
      return true;
    } finally {
      for (const name of fs.readdirSync(dir)) if (name.startsWith(mutexPrefix)) fs.rmSync(path.join(dir, name), { force: true });
    }
  }
}
