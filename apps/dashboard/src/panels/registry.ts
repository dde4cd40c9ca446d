// The customer 360's panels for fields that analytics and plugins add to Customer, in display order. A plugin's
// panel is one small component here plus one line below (competitor feedback and cross-sell come next).
import { AnalyticsPanel } from './AnalyticsPanel.js';
import type { CustomerPanel } from './customer-panel.js';
import { LoyaltyPanel } from './LoyaltyPanel.js';

export const customerPanels: readonly CustomerPanel[] = [
  { id: 'analytics', field: 'analytics', Component: AnalyticsPanel },
  { id: 'loyalty', field: 'loyalty', Component: LoyaltyPanel },
];
