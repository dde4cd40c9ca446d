import { type CommandRunner, fitClvModel, isCrmError, latestClvModel, systemSession } from '@crm/core';
import type { PrismaClient } from '@crm/db';
import { describeError, type Logger } from '../logger.js';
import { PeriodicRounds } from '../periodic-rounds.js';

export interface MonthEndSnapshotSettings {
  /** How often to look for months that are over. @default 3600000 (hourly) */
  intervalMs?: number;
  /** Delay of the first round after start. @default 60000 */
  firstRoundMs?: number;
  /** How many closed months back a workspace is caught up (a gateway that was down, a new deployment). @default 12 */
  catchUpMonths?: number;
  /** The clock (tests). @default () => new Date() */
  now?: () => Date;
}

export interface MonthEndSnapshotOptions extends MonthEndSnapshotSettings {
  runner: CommandRunner;
  /** The unscoped client: the job looks across workspaces. */
  prisma: PrismaClient;
  logger: Logger;
  /** Runs a fit when no other fit of the workspace runs in this process (the ClvRefresher's turn-taking). */
  exclusive?: <T>(workspaceId: string, task: () => Promise<T>) => Promise<T>;
}

/** A month whose snapshot was written: the workspace and the month's first day (`YYYY-MM-01`). */
export interface MonthEndSnapshot {
  workspaceId: string;
  month: string;
}

const DAY_MS = 86_400_000;

/**
 * Writes each workspace's monthly segment snapshot as of the last day of every month that is over: a lifetime-value
 * fit as of that day (which writes the month's SegmentSnapshot rows, replacing a mid-month fit's). The database says
 * what is missing — a closed month since the workspace's first order, within `catchUpMonths`, whose snapshot does not
 * come from a fit calibrated on the month's last day — so the job is idempotent, survives restarts and catches up
 * on months missed while no gateway ran. Months are fitted oldest first; if the workspace's current model was newer
 * than the last month done (a catch-up), it is refitted as of today so that the current figures stay current.
 * Several instances may run it: a month fitted twice gets the same rows (the later replaces the earlier).
 */
export class MonthEndSnapshots {
  private readonly rounds: PeriodicRounds;
  private stopped = false;
  /** Months that cannot be fitted (too little history by then): not retried by this process. */
  private readonly unfittable = new Set<string>();

  constructor(private readonly options: MonthEndSnapshotOptions) {
    this.rounds = new PeriodicRounds(
      () =>
        this.runOnce().then(
          () => undefined,
          (error: unknown) => this.options.logger.warn('month-end snapshots failed', describeError(error)),
        ),
      { firstAfterMs: options.firstRoundMs ?? 60_000, everyMs: options.intervalMs ?? 3_600_000 },
    );
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  start(): void {
    if (this.rounds.started) return;
    this.stopped = false;
    this.rounds.start();
  }

  /** Stops looking; a round in progress stops after its current fit. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.rounds.stop();
  }

  /** The closed months without a month-end snapshot, per workspace, oldest first. */
  async missingMonths(): Promise<MonthEndSnapshot[]> {
    const now = this.now();
    const current = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const earliest = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (this.options.catchUpMonths ?? 12), 1));
    const rows = await this.options.prisma.$queryRawUnsafe<{ workspaceId: string; month: string }[]>(
      `SELECT w.id AS "workspaceId", to_char(m.month, 'YYYY-MM-DD') AS month
         FROM "Workspace" w
         CROSS JOIN LATERAL (SELECT min(o."orderedAt") AS first FROM "Order" o WHERE o."workspaceId" = w.id) f
         CROSS JOIN LATERAL generate_series(greatest(date_trunc('month', f.first AT TIME ZONE 'UTC'), $1::timestamp),
                                            $2::timestamp - interval '1 month', interval '1 month') AS m(month)
        WHERE f.first IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM "SegmentSnapshot" s JOIN "ClvModel" c ON c.id = s."modelId"
                           WHERE s."workspaceId" = w.id AND s.month = m.month::date
                             AND (c."calibrationEnd" AT TIME ZONE 'UTC')::date = (m.month + interval '1 month' - interval '1 day')::date)
        ORDER BY 1, 2`,
      earliest.toISOString().slice(0, 10),
      current.toISOString().slice(0, 10),
    );
    return rows.filter((r) => !this.unfittable.has(`${r.workspaceId}/${r.month}`));
  }

  /** One round: every missing month of every workspace. Returns the months written. */
  async runOnce(): Promise<MonthEndSnapshot[]> {
    const byWorkspace = new Map<string, string[]>();
    for (const { workspaceId, month } of await this.missingMonths()) byWorkspace.set(workspaceId, [...(byWorkspace.get(workspaceId) ?? []), month]);
    const written: MonthEndSnapshot[] = [];
    const exclusive = this.options.exclusive ?? ((_id, task) => task());
    for (const [workspaceId, months] of byWorkspace) {
      if (this.stopped) break;
      await exclusive(workspaceId, async () => {
        const caller = this.options.runner.callerFor(systemSession(workspaceId));
        const before = await latestClvModel(caller);
        let lastDay: Date | null = null;
        for (const month of months) {
          if (this.stopped) break;
          const start = new Date(`${month}T00:00:00Z`);
          const day = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1) - DAY_MS);
          // The current model is newer than this month: it is fitted again at the end, so this fit leaves Customer's
          // figures alone (only the month's snapshot and scores are its point).
          const refitFollows = before !== null && before.calibrationEnd.getTime() > day.getTime();
          if (await this.fit(workspaceId, day, month, !refitFollows)) {
            written.push({ workspaceId, month });
            lastDay = day;
          }
        }
        // A catch-up left an older calibration as the current model: fit as of today again.
        if (lastDay && before && before.calibrationEnd.getTime() > lastDay.getTime() && !this.stopped) await this.fit(workspaceId, this.now(), null);
      });
    }
    if (written.length) this.options.logger.info('month-end snapshots written', { months: written.length });
    return written;
  }

  private async fit(workspaceId: string, asOf: Date, month: string | null, copyToCustomers = true): Promise<boolean> {
    try {
      await fitClvModel(this.options.runner.callerFor(systemSession(workspaceId)), { asOf, trigger: 'month-end', copyToCustomers });
      return true;
    } catch (error) {
      // Too little history by then (nobody had bought twice) is normal for the first months of a workspace.
      if (isCrmError(error) && error.code === 'BAD_USER_INPUT' && month) this.unfittable.add(`${workspaceId}/${month}`);
      else this.options.logger.warn('month-end snapshot fit failed', { workspaceId, month, ...describeError(error) });
      return false;
    }
  }
}
