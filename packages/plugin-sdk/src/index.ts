// @crm/plugin-sdk: everything a plugin needs, and nothing of the core's internals. See docs/plugins/.
// The builder's methods (prismaObject, relatedConnection, authScopes, …) come from Pothos plugins' global types:
// referenced here so a plugin package sees them without depending on Pothos itself.
/// <reference types="@pothos/plugin-prisma" preserve="true" />
/// <reference types="@pothos/plugin-relay" preserve="true" />
/// <reference types="@pothos/plugin-scope-auth" preserve="true" />
export { definePlugin } from './define-plugin.js';
export type { ActionCaller, ActionContext, ActionDefinition, ActionInfo } from './actions.js';
export type { ActionInputField, ActionInputKind } from './action-input.js';
export type { HandlerScope, PluginTools } from './handler-scope.js';
export { ACTION_OUTPUT_MISMATCH } from './action-output.js';
export { type EventCatalog, type EventInfo, recordEventObject } from './event-catalog.js';
export { EVENT_PAYLOAD_MISMATCH, payloadPathType, type PayloadPathType } from './event-payload.js';
/** Money in an event's declared payload ("5000.00"), read as a number by typed readers. */
export { eventMoney } from '@crm/core';
export type {
  DashboardPanelDefinition,
  PermissionDefinition,
  PersonalDataContext,
  PersonalDataHandlers,
  PluginDefinition,
  PluginObjectDeclaration,
  PluginObjectWriter,
  PluginUpdateRule,
  SeedContext,
  SettingsSchema,
} from './definition.js';
export type {
  ChainedContext,
  DeliveredEvent,
  DeliveryPolicy,
  DriftedEventPayloads,
  Hook,
  HookContext,
  OwnEmit,
  PendingEventOf,
  PublishedEvent,
  Subscriber,
  SubscriberContext,
  SubscriberDefinition,
  SubscriberWithInterest,
} from './events.js';
export type { EventInterest, InterestContext, RecordInterest, SubscriberInterest } from './interest.js';
export type { CustomObjectRenamedHandler, FieldInQuestion, FieldRenameContext, FieldRenamedHandler, FieldUser, FieldUsersContext, FieldUsersHandler, ObjectRename, ObjectRenameContext } from './field-users.js';
export type { ActingOptions, ActingScope, JobCallsContext, JobContext, JobDefinition, OneTransactionJob, QueueContext, QueueDefinition, QueueItem, QueueTransaction, TransactionPerCallJob } from './jobs.js';
export type { OutboundAnswer, OutboundHttp, OutboundMethod, OutboundRequest } from './outbound-http.js';
export { HEADER_VALUE, OUTBOUND_RESERVED_HEADERS, outboundUrlProblem } from './outbound-http.js';
export type { Plugin, PluginProblem } from './plugin.js';
export type { PluginRequest, PluginResponse, RouteContext, RouteDefinition } from './routes.js';
export type { PluginCommandScope, PluginToolkit } from './toolkit.js';
export type { RequestLoader } from './request-loader.js';
export { PluginSqlError, type PluginSql } from './plugin-sql.js';
export { PluginSwitchedOffError } from './switched-off.js';
export type { OwnKeyRename } from './own-key-renames.js';
export type { OwnCondition, OwnId, OwnInsert, OwnRow, OwnRows, OwnUpdate, OwnWrite } from './own-rows.js';
export type { RecordAccess, RecordChange, RecordJson } from './record-access.js';
export { recordChangeKind } from './record-access.js';
export type { ActingRole, RecordObjects, RecordWriteOptions, RecordWrites } from './record-writes.js';
export type { FilterNode } from '@crm/core';

// What plugin code builds with: zod for settings and inputs, the schema builder's type, errors with codes,
// ids, money and input validation helpers.
export { z } from 'zod';
export { defineObject, wholeNumber, type ObjectDeclaration, type FieldDeclaration, type RelationDeclaration } from '@crm/core';
export type { Builder, GraphContext } from '@crm/graph';
export { globalId, rowId, optionalRowId, MAX_PAGE_SIZE, declaredRef, customFieldsInput, cursorInWorkspace } from '@crm/graph';
// Core's input rules, to check values ahead of a command (a workflow's steps when published): the commands' input
// schemas, the field rules they share, the database's enums.
export { createDealInput, createTaskInput, enumValuesOf, fields as inputFields, logActivityInput, segmentMembershipInput, updateCustomerTagsInput } from '@crm/core';
// The rule a segment must meet to take members by hand (STATIC), checked where a plugin names one ahead of the
// command (a workflow's segment steps, at publish); the command checks it again.
export { liveMembership, manualMembershipChange, requireStaticSegment, type SegmentMembership, type SegmentMembersChange, type SegmentMembersInput } from '@crm/core';
export {
  badInput,
  conflict,
  CrmError,
  isCrmError,
  forbidden,
  notFound,
  parseInput,
  fieldChanges,
  MAX_SECRET_GRACE_SECONDS,
  rolledSecret,
  secretGraceSeconds,
  formatMoney,
  toMoney,
  newRowId,
  type CrmErrorCode,
  type CrmEventMap,
  type CrmEventType,
  type ItemActor,
  type ItemResult,
  type Session,
} from '@crm/core';
export { includingTrashed, Prisma, type Role, type ScopedPrisma, type ScopedTransaction } from '@crm/db';
/** Row types of every model of the composed schema, yours included: `Models.Customer`, `Models.StampCard`. */
export type * as Models from '@crm/db';
export { type CommandOptions, coreCommandNames, type CoreCommandName, type CoreCommands, type TrashCommandName, type TrashCommands } from './core-commands.js';
export { veto, type VetoOptions } from './plugin-errors.js';
export type { LockOptions, PluginLock } from './plugin-lock.js';
