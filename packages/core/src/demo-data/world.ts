import type { CompanySize } from '@crm/db';
import type { DemoProduct } from './catalog.js';
import type { Random } from './random.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;

/** Cents (integers, exact) to a decimal string: money is summed in cents and stored as a string, never a float. */
export const money = (cents: number): string => (cents / 100).toFixed(2);

/** What every customer's life refers to: the workspace's team, companies, catalog, pipeline and campaigns. */
export interface SeedWorld {
  workspaceId: string;
  /** Ids come from their own generator, mixed with the workspace id: same data in two workspaces, distinct ids. */
  ids: Random;
  /** The "now" of the generated history. */
  asOf: number;
  /** Numbers in unique columns (emails, external refs) start after what the workspace already holds. */
  firstNumber: number;
  userIds: string[];
  companies: { id: string; size: CompanySize }[];
  catalog: (DemoProduct & { id: string })[];
  pipelineId: string;
  stages: { id: string; name: string; position: number; isWon: boolean; isLost: boolean }[];
  campaigns: { id: string; name: string; startsAt: number; endsAt: number }[];
  /** Deals made so far: the first ones visit every stage, so even a small seed shows the whole pipeline. */
  dealsMade: number;
}

/** A random instant in [from, to] (to at least from). */
export function between(random: Random, from: number, to: number): number {
  return from + random.next() * Math.max(0, to - from);
}
