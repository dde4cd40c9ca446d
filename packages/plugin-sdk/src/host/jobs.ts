// Plugins' periodic jobs: each run goes through every workspace, one transaction per workspace as `plugin:<id>` (or,
// for a `transaction: 'per-call'` job, one per call of its `transaction`), each under a transaction-level advisory
// lock so that gateways running side by side never run the same job's transactions on the same workspace at once (the
// second skips it; a per-call job that finds it taken between two calls stops there for that workspace).
import type { CommandRunner } from '@crm/core';
import type { PrismaClient } from '@crm/db';
import type { JobContext } from '../jobs.js';
import type { HostContext, HostServices, JobEntry, Plugin } from '../plugin.js';
import { pluginLock } from '../plugin-lock.js';
import { readPluginState } from '../plugin-state.js';
import { pluginSession } from './plugin-runtime.js';

export interface JobRunner {
  /** Runs one job now for every workspace; resolves with how many workspaces it ran for. */
  run(pluginId: string, job: string, now?: Date): Promise<number>;
  stop(): void;
}

/** A job's transaction not opened: its lock held elsewhere, or the plugin switched off. Ends the run for the workspace. */
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
    onError?: (error: unknown, where: { plugin: string; job: string }) => void;
    timers?: boolean;
  },
): JobRunner {
  const timers: NodeJS.Timeout[] = [];

  async function runJob(plugin: Plugin, job: JobEntry, now: Date): Promise<number> {
    const workspaces = await options.prisma.workspace.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
    let ran = 0;
    for (const { id: workspaceId } of workspaces) {
      let opened = 0;
      // Each transaction of the run (one, or one per call of a 'per-call' job) under the job's lock for the workspace.
      const transaction = <T>(fn: (scope: HostContext<JobContext<unknown>>) => Promise<T>): Promise<T> =>
        options.runner.callerFor(pluginSession(workspaceId, plugin.id)).run(async (scope) => {
          const [lock] = await scope.tx.$queryRaw<{ locked: boolean }[]>`
            SELECT pg_try_advisory_xact_lock(hashtext(${`crm:job:${plugin.id}:${job.name}`}), hashtext(${workspaceId})) AS locked`;
          if (!lock?.locked) throw new JobStopped(); // another gateway is running it on this workspace
          const state = await readPluginState(scope.tx, workspaceId, plugin.id);
          if (!state.enabled) throw new JobStopped(); // switched off in this workspace
          opened++;
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
      try {
        await job.run({ workspaceId, now, transaction });
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
        // A run that fails before reaching a workspace (the database unreachable) is reported, never left to
        // become an unhandled rejection (which ends the process).
        const tick = () =>
          void runJob(plugin, job, new Date()).catch((error: unknown) => options.onError?.(error, { plugin: plugin.id, job: job.name }));
        const timer = setInterval(tick, job.everyMs);
        timer.unref();
        timers.push(timer);
      }
    }
  }

  return {
    async run(pluginId, name, now = new Date()) {
      const plugin = plugins.find((p) => p.id === pluginId);
      const job = plugin?.jobs.find((j) => j.name === name);
      if (!plugin || !job) throw new Error(`no job ${pluginId}/${name}`);
      return runJob(plugin, job, now);
    },
    stop() {
      for (const timer of timers.splice(0)) clearInterval(timer);
    },
  };
}
