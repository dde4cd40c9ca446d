// CPU time of processes from /proc (Linux), for CPU-per-request figures: a server process's own, and that of the
// PostgreSQL backends serving one database. CPU time, unlike requests/s, hardly moves when other work shares the
// machine, so these are the figures to compare under load.
import { readFileSync } from 'node:fs';
import pg from 'pg';

const ticksPerSecond = 100; // USER_HZ, 100 on every Linux we run on (`getconf CLK_TCK`)

/** User + system CPU milliseconds a process has used so far (null once it is gone). */
export function processCpuMs(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14 and 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return null;
  }
}

/**
 * Measures the CPU the PostgreSQL backends of one database use while `run` runs: the backends are listed from
 * pg_stat_activity before and after (a backend that starts during the run counts whole), and their CPU is read from
 * /proc (PostgreSQL on this host). The monitoring connection itself is left out. Parallel workers are short-lived
 * and would be missed, so the benchmark database turns them off (see `ensureListDatabase`).
 */
export class PostgresCpu {
  private constructor(
    private readonly client: pg.Client,
    private readonly database: string,
  ) {}

  static async open(url: string): Promise<PostgresCpu> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return new PostgresCpu(client, new URL(url).pathname.slice(1));
  }

  private async backends(): Promise<number[]> {
    const { rows } = await this.client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [this.database],
    );
    return rows.map((r) => r.pid);
  }

  async during<T>(run: () => Promise<T>): Promise<[T, number]> {
    const before = new Map((await this.backends()).map((pid) => [pid, processCpuMs(pid) ?? 0]));
    const value = await run();
    let used = 0;
    for (const pid of new Set([...before.keys(), ...(await this.backends())])) {
      const now = processCpuMs(pid);
      // A backend that ended during the run is lost (its pool closed it); the pools here keep theirs open.
      if (now !== null) used += now - (before.get(pid) ?? 0);
    }
    return [value, used];
  }

  close(): Promise<void> {
    return this.client.end();
  }
}
