import { z } from '@crm/plugin-sdk';

/** Per workspace; every field has a default. */
export const competitorSettings = z.object({
  /** Look for competitor names in logged activities. */
  detectMentions: z.boolean().default(true),
  /** A competitor mentioned in an activity logged on a deal is linked to that deal (as linkCompetitorToDeal would). */
  linkMentionedCompetitorsToDeals: z.boolean().default(true),
  /** A customer moved to CHURNED with a reason naming a competitor is recorded as a defection to it. */
  defectionsFromChurnReason: z.boolean().default(true),
});

export type CompetitorSettings = z.output<typeof competitorSettings>;
