// Workspace reports of the analytical CRM (issue 8): each is one SQL statement (or a few) over CustomerScore, orders,
// the stage-change history, tickets, surveys and campaigns. Raw SQL bypasses the workspace scope, so every statement
// names the caller's workspace itself.
export * from './period.js';
export * from './customer-value.js';
export * from './retention.js';
export * from './at-risk.js';
export * from './lifecycle-funnel.js';
export * from './satisfaction.js';
export * from './campaign-effectiveness.js';
export * from './segment-profit.js';
export * from './segment-snapshots.js';
export * from './revenue-by-month.js';
