// The customer 360's panels for fields that analytics and plugins add to Customer, in display order. A plugin's
// panel is one small component here plus one line below.
import { AnalyticsPanel } from './AnalyticsPanel.js';
import { CompetitorMentionsPanel } from './CompetitorMentionsPanel.js';
import { CrossSellPanel } from './CrossSellPanel.js';
import type { CustomerPanel } from './customer-panel.js';
import { LoyaltyPanel } from './LoyaltyPanel.js';

export const customerPanels: readonly CustomerPanel[] = [
  { id: 'analytics', field: 'analytics', Component: AnalyticsPanel },
  { id: 'loyalty', field: 'loyalty', Component: LoyaltyPanel },
  { id: 'cross-sell', field: 'crossSellSuggestions', Component: CrossSellPanel },
  { id: 'competitor-mentions', field: 'competitorMentions', Component: CompetitorMentionsPanel },
];
