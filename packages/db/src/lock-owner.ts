import fs from 'node:fs';

/**
 * Who holds a lock file, told apart by more than a pid: pids are reused, by a later process or after a reboot.
 * On Linux the process start time (clock ticks after boot, /proc/<pid>/stat) and the boot id identify a process
 * for good; elsewhere only the pid is known.
 */
export interface LockOwner {
  pid: number;
  /** Start time of the process in clock ticks after boot (field 22 of /proc/<pid>/stat); null where unknown. */
  startTicks: number | null;
  /** /proc/sys/kernel/random/boot_id at the time; null where unknown. */
  bootId: string | null;
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Field 22 of /proc/<pid>/stat (counted after the command name, which may contain spaces and parentheses). */
export function processStartTicks(pid: number): number | null {
  const stat = readOrNull(`/proc/${pid}/stat`);
  if (!stat) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[19]);
  return Number.isFinite(ticks) ? ticks : null;
}

function currentBootId(): string | null {
  return readOrNull('/proc/sys/kernel/random/boot_id')?.trim() || null;
}

export function thisProcess(): LockOwner {
  return { pid: process.pid, startTicks: processStartTicks(process.pid), bootId: currentBootId() };
}

/** The owner a lock file names: ours (JSON), or an older lock's bare pid. Null when unreadable. */
export function parseLockOwner(text: string): LockOwner | null {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed), startTicks: null, bootId: null };
  try {
    const value = JSON.parse(trimmed) as Partial<LockOwner>;
    if (!Number.isInteger(value.pid) || value.pid! <= 0) return null;
    return { pid: value.pid!, startTicks: value.startTicks ?? null, bootId: value.bootId ?? null };
  } catch {
    return null;
  }
}

function pidRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** When the process started (ms since the epoch), from its start ticks and the boot time; null where unknown. */
function processStartedAtMs(pid: number): number | null {
  const ticks = processStartTicks(pid);
  const bootTime = /^btime (\d+)$/m.exec(readOrNull('/proc/stat') ?? '')?.[1];
  // USER_HZ is 100 on every Linux this runs on (getconf CLK_TCK); an error of a tick is far below what matters here.
  return ticks === null || !bootTime ? null : Number(bootTime) * 1000 + ticks * 10;
}

/**
 * Whether the lock's owner still runs. Dead when: the machine rebooted since (boot id), the pid is gone, or the
 * pid now belongs to a process started at another time. A bare-pid lock (no start time) whose file is older than
 * the process with that pid was left by an earlier process (before a reboot, typically).
 */
export function lockOwnerAlive(owner: LockOwner, lockFile: string): boolean {
  const bootId = currentBootId();
  if (owner.bootId && bootId && owner.bootId !== bootId) return false;
  if (!pidRuns(owner.pid)) return false;
  if (owner.startTicks !== null) {
    const ticks = processStartTicks(owner.pid);
    return ticks === null || ticks === owner.startTicks;
  }
  const startedAt = processStartedAtMs(owner.pid);
  if (startedAt === null) return true;
  try {
    // A second of slack: the file's time and the process' start time come from different clocks.
    return fs.statSync(lockFile).mtimeMs >= startedAt - 1000;
  } catch {
    return true;
  }
}
