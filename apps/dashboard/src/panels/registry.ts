// The customer 360's panels for fields that analytics and the bundled plugins add to Customer, in display order.
// Any other plugin ships its own panel module instead (PluginPanels.tsx, docs/plugins/dashboard-panels.md).
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
