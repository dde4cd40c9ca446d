import { defaultLifetimeValueSettings, type LifetimeValueSettings } from '@crm/analytics';
import type { Caller } from '../../command.js';
import { parseInput, z } from '../../validation.js';
import { recostCustomerMonths } from './customer-month-rollup.js';

/** The workspace's analytics settings (`Workspace.settings.analytics`); every field has a default. */
export interface AnalyticsSettings extends LifetimeValueSettings {
  /** What serving a customer costs, per unit, in the workspace's money (profit = margin − cost to serve). */
  unitCosts: { ticket: number; activity: number; campaignContact: number };
}

export const defaultAnalyticsSettings: AnalyticsSettings = {
  ...defaultLifetimeValueSettings,
  unitCosts: { ticket: 25, activity: 5, campaignContact: 0.5 },
};

const unitCost = z.number().min(0, 'Must not be negative').max(1_000_000, 'At most 1,000,000');
const settingsInput = z.object({
  horizonMonths: z.number().int('Must be a whole number').min(1, 'At least 1').max(120, 'At most 120').nullish(),
  monthlyDiscountRate: z.number().min(0, 'Must not be negative').max(1, 'At most 1 (100 % a month)').nullish(),
  margin: z.number().min(0, 'Between 0 and 1').max(1, 'Between 0 and 1').nullish(),
  unitCosts: z.object({ ticket: unitCost.nullish(), activity: unitCost.nullish(), campaignContact: unitCost.nullish() }).nullish(),
});
export type AnalyticsSettingsInput = z.input<typeof settingsInput>;

/** The settings stored in a workspace's `settings` JSON, with defaults for whatever is missing or unreadable. */
export function analyticsSettingsOf(workspaceSettings: unknown): AnalyticsSettings {
  const stored = (workspaceSettings as { analytics?: unknown } | null)?.analytics;
  const parsed = settingsInput.safeParse(stored ?? {});
  return withChanges(defaultAnalyticsSettings, parsed.success ? parsed.data : {});
}

/** `base` with the fields `changes` gives (null or absent fields keep base's value). */
function withChanges(base: AnalyticsSettings, changes: z.output<typeof settingsInput>): AnalyticsSettings {
  return {
    horizonMonths: changes.horizonMonths ?? base.horizonMonths,
    monthlyDiscountRate: changes.monthlyDiscountRate ?? base.monthlyDiscountRate,
    margin: changes.margin ?? base.margin,
    unitCosts: {
      ticket: changes.unitCosts?.ticket ?? base.unitCosts.ticket,
      activity: changes.unitCosts?.activity ?? base.unitCosts.activity,
      campaignContact: changes.unitCosts?.campaignContact ?? base.unitCosts.campaignContact,
    },
  };
}

export async function loadAnalyticsSettings(caller: Caller): Promise<AnalyticsSettings> {
  const workspace = await caller.db.workspace.findUniqueOrThrow({ where: { id: caller.session.workspaceId }, select: { settings: true } });
  return analyticsSettingsOf(workspace.settings);
}

/**
 * Changes some analytics settings (ADMIN); the others keep their values. Model figures change at the next fit; a new
 * margin re-costs the monthly rollup in the same transaction, so profit reports use it at once.
 */
export async function updateAnalyticsSettings(caller: Caller, raw: AnalyticsSettingsInput): Promise<AnalyticsSettings> {
  const input = parseInput(settingsInput, raw);
  return caller.run(
    async ({ tx, session }) => {
      // Row lock: two concurrent updates must not each write back the other's stale half.
      await tx.$queryRawUnsafe('SELECT 1 FROM "Workspace" WHERE id = $1::uuid FOR UPDATE', session.workspaceId);
      const workspace = await tx.workspace.findUniqueOrThrow({ where: { id: session.workspaceId }, select: { settings: true } });
      const next = withChanges(analyticsSettingsOf(workspace.settings), input);
      const settings = { ...((workspace.settings as object | null) ?? {}), analytics: { ...next, unitCosts: { ...next.unitCosts } } };
      await tx.workspace.update({ where: { id: session.workspaceId }, data: { settings } });
      if (next.margin !== analyticsSettingsOf(workspace.settings).margin) await recostCustomerMonths({ tx }, session.workspaceId);
      return next;
    },
    { role: 'ADMIN' },
  );
}
