// Plugins' periodic jobs: each run goes through every workspace, one transaction per workspace as `plugin:<id>` (or,
// for a `transaction: 'per-call'` job, one per call of its `transaction`), each under a transaction-level advisory
// lock so that gateways running side by side never run the same job's transactions on the same workspace at once (the
// second skips it; a per-call job that finds it taken between two calls stops there for that workspace).
//
// A timer's runs of one job never overlap on a gateway: a tick that finds the job's last run still going is skipped
// (and reported); a run asked for by hand (`runJob`: tests, the CLI) is not held back by one under way.
// A per-call job's run has a budget across workspaces (half its interval): once spent, a call after the workspace's
// first is refused (the stop signal) and no further workspace is started; the next run starts with the
// workspace this one did not reach, so a late workspace is not starved by early ones with long backlogs. That cursor
// is this gateway's alone: another gateway keeps its own, and the job lock keeps the two off one workspace at once.
//
// A job's `now` is the database's time (`statement_timestamp()` of the job-lock statement each transaction sends
// first), not the gateway's clock: due times the job compares and writes (schedules, date scans) are compared with the
// database's `now()` elsewhere, and a gateway clock skewed from it fired them early or late. No statement more.
import type { CommandRunner } from '@crm/core';
import type { PrismaClient } from '@crm/db';
import type { JobContext } from '../jobs.js';
import type { HostContext, HostServices, JobEntry, Plugin } from '../plugin.js';
import { pluginLock } from '../plugin-lock.js';
import { readPluginState } from '../plugin-state.js';
import { pluginSession } from './plugin-runtime.js';

/** Where a job's report comes from. */
export interface JobWhere {
  plugin: string;
  job: string;
}

/** How one run of a job goes. */
export interface JobRunOptions {
  /** The time the run hands the job (tests). @default the database's time, as each transaction's lock statement tells it */
  now?: Date;
  /**
   * How long a per-call job's run may go on across workspaces before it stops starting calls (each workspace it
   * reaches gets one at least; 0: one call in one workspace). @default half the job's interval
   */
  budgetMs?: number;
}

export interface JobRunner {
  /** Runs one job now for every workspace (as its timer does); resolves with how many workspaces it ran for. */
  run(pluginId: string, job: string, options?: JobRunOptions): Promise<number>;
  stop(): void;
}

/** A job's transaction not opened: its lock held elsewhere, the plugin switched off, or the run's budget spent. */
class JobStopped extends Error {
  constructor() {
    super('job stopped for this workspace');
  }
}

export function startJobs(
  plugins: readonly Plugin[],
  options: {
    runner: CommandRunner;
    prisma: PrismaClient;
    services: HostServices;
    onError?: (error: unknown, where: JobWhere) => void;
    /** A tick skipped because the job's last run on this gateway is still going. @default a console warning */
    onSkipped?: (skip: JobWhere & { runningForMs: number }) => void;
    timers?: boolean;
  },
): JobRunner {
  const timers: NodeJS.Timeout[] = [];
  /** The start times of each job's runs under way on this gateway (the timer's and `run`'s). */
  const underWay = new Map<JobEntry, number[]>();
  /** Per per-call job: the workspace its next run starts with (the first one its last run did not reach). */
  const startWith = new Map<JobEntry, string>();
  const onSkipped =
    options.onSkipped ??
    ((skip: JobWhere & { runningForMs: number }) =>
      console.warn(`plugin host: ${skip.plugin}/${skip.job} tick skipped: its last run is still going (${skip.runningForMs} ms)`));

  async function runJob(plugin: Plugin, job: JobEntry, run: JobRunOptions): Promise<number> {
    const started = Date.now();
    const starts = underWay.get(job) ?? [];
    underWay.set(job, starts);
    starts.push(started);
    try {
      return await runInWorkspaces(plugin, job, run.now, started + (run.budgetMs ?? job.everyMs / 2));
    } finally {
      starts.splice(starts.indexOf(started), 1);
    }
  }

  async function runInWorkspaces(plugin: Plugin, job: JobEntry, given: Date | undefined, deadline: number): Promise<number> {
    const perCall = job.transaction === 'per-call';
    const spent = () => perCall && Date.now() >= deadline;
    const all = await options.prisma.workspace.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
    const from = startWith.get(job);
    const first = from === undefined ? 0 : Math.max(0, all.findIndex((workspace) => workspace.id >= from));
    const workspaces = [...all.slice(first), ...all.slice(0, first)];
    let ran = 0;
    for (const [index, { id: workspaceId }] of workspaces.entries()) {
      if (index > 0 && spent()) {
        startWith.set(job, workspaceId); // the next run begins where this one stopped
        break;
      }
      let opened = 0;
      /** The run's time in this workspace: the given one, or the database's as its first transaction's lock told it. */
      let runNow = given;
      // Each transaction of the run (one, or one per call of a 'per-call' job) under the job's lock for the workspace.
      const transaction = <T>(fn: (scope: HostContext<JobContext<unknown>>) => Promise<T>): Promise<T> => {
        if (opened && spent()) return Promise.reject(new JobStopped()); // the budget is spent: the next run comes back here
        return options.runner.callerFor(pluginSession(workspaceId, plugin.id)).run(async (scope) => {
          const [lock] = await scope.tx.$queryRaw<{ locked: boolean; now: Date }[]>`
            SELECT pg_try_advisory_xact_lock(hashtext(${`crm:job:${plugin.id}:${job.name}`}), hashtext(${workspaceId})) AS locked,
                   statement_timestamp() AS now`;
          if (!lock?.locked) throw new JobStopped(); // another gateway is running it on this workspace
          const state = await readPluginState(scope.tx, workspaceId, plugin.id);
          if (!state.enabled) throw new JobStopped(); // switched off in this workspace
          opened++;
          const now = given ?? new Date(lock.now);
          runNow ??= now;
          return fn({
            tx: scope.tx,
            emit: scope.emit,
            session: scope.session,
            settings: state.settings,
            workspaceId,
            now,
            services: options.services,
            lock: pluginLock(scope.tx, plugin.id, workspaceId),
          });
        });
      };
      try {
        await job.run({
          workspaceId,
          // Known once the first transaction has its lock (read inside a transaction's callback).
          get now() {
            if (!runNow) throw new Error(`${plugin.id}/${job.name}: the run's now is the database's time, known from its first transaction on`);
            return runNow;
          },
          transaction,
        });
        if (opened) ran++;
      } catch (error) {
        if (!(error instanceof JobStopped)) options.onError?.(error, { plugin: plugin.id, job: job.name });
        else if (opened) ran++; // stopped after some of its transactions committed
      }
    }
    return ran;
  }

  if (options.timers ?? true) {
    for (const plugin of plugins) {
      for (const job of plugin.jobs) {
        const where = { plugin: plugin.id, job: job.name };
        // A run that fails before reaching a workspace (the database unreachable) is reported, never left to
        // become an unhandled rejection (which ends the process).
        const tick = () => {
          const oldest = underWay.get(job)?.[0];
          if (oldest !== undefined) return onSkipped({ ...where, runningForMs: Date.now() - oldest });
          void runJob(plugin, job, {}).catch((error: unknown) => options.onError?.(error, where));
        };
        const timer = setInterval(tick, job.everyMs);
        timer.unref();
        timers.push(timer);
      }
    }
  }

  return {
    async run(pluginId, name, run = {}) {
      const plugin = plugins.find((p) => p.id === pluginId);
      const job = plugin?.jobs.find((j) => j.name === name);
      if (!plugin || !job) throw new Error(`no job ${pluginId}/${name}`);
      if (run.budgetMs !== undefined && !(Number.isFinite(run.budgetMs) && run.budgetMs >= 0)) {
        throw new Error(`budgetMs: a duration in ms (0 or more), got ${run.budgetMs}`);
      }
      return runJob(plugin, job, run);
    },
    stop() {
      for (const timer of timers.splice(0)) clearInterval(timer);
    },
  };
}
