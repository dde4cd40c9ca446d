// Saved customer segments: a validated filter (FILTER) or members added by hand (STATIC), stored membership kept
// current by every command, events for changes.
export * from './segment-filter.js';
export * from './membership.js';
export * from './segments.js';
export {
  addSegmentMembers,
  type ManualMembershipChange,
  manualMembershipChange,
  removeSegmentMembers,
  requireStaticSegment,
  segmentMembershipInput,
  type SegmentMembership,
  type SegmentMembershipInput,
  type SegmentMembersChange,
  type SegmentMembersInput,
  updateSegmentMemberships,
} from './static-members.js';
export { type FieldRename, renameInFilter } from './segment-filter-rename.js';
