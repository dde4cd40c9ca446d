import type { GraphQLSchema } from 'graphql';
import { type Builder, createBuilder } from './builder.js';
import { registerAccess } from './modules/access.js';
import { registerRoles } from './modules/roles.js';
import { registerAuditLog, registerHistoryField } from './modules/audit-log.js';
import { registerAnalytics } from './modules/analytics.js';
import { registerCollaboration } from './modules/collaboration.js';
import { registerCommerce } from './modules/commerce.js';
import { registerCompanies } from './modules/companies.js';
import { registerCustomers } from './modules/customers.js';
import { registerDashboardMetrics } from './modules/dashboard-metrics.js';
import { registerReports } from './modules/reports.js';
import { registerSegments } from './modules/segments.js';
import { registerDeclaredEnums, registerEnums } from './modules/enums.js';
import { registerEvents } from './modules/events.js';
import { registerMarketing } from './modules/marketing.js';
import { registerSales } from './modules/sales.js';
import { registerScalars } from './modules/scalars.js';
import { registerService } from './modules/service.js';
import { registerTrash } from './modules/trash.js';
import { registerDataOperations } from './modules/data-operations.js';
import { type CustomFieldStorage, registerCustomFields } from './modules/custom-fields.js';
import { registerUsers } from './modules/users.js';
import { registerWebhooks } from './modules/webhooks.js';
import {
  type CustomField,
  type CustomObject,
  coreObjects,
  type EventReaders,
  type ObjectDeclaration,
  ObjectCatalog,
  type WebhookTargetPolicy,
  workspaceDeclarations,
} from '@crm/core';
import { registerCustomObjectRecords, registerCustomObjects } from './modules/custom-objects.js';
import { registerBulkOperations } from './modules/bulk-operations.js';
import { registerRecordImport } from './modules/record-import.js';
import { DeclaredObjects } from './objects/declared-objects.js';
import { registerGlobalSearch } from './objects/search.js';
import { answerFromEngine } from './engine/engine-answers.js';

export interface BuildSchemaOptions {
  /** Adds types and fields after the core (plugins' GraphQL contributions). */
  extend?: readonly ((builder: Builder) => void)[];
  /** Which webhook targets mutations accept (loopback/private ones are refused by default). */
  webhooks?: WebhookTargetPolicy;
  /** Object declarations beyond the core's (plugins' objects). */
  objects?: readonly ObjectDeclaration[];
  /** One workspace's custom fields (docs/custom-fields.md): its schema has them as typed fields. @default none */
  customFields?: readonly CustomField[];
  /** One workspace's custom objects (their fields are among `customFields`): types and operations of their own. */
  customObjects?: readonly CustomObject[];
  /** Builds and drops custom fields' expression indexes after their definitions commit (the gateway's). */
  customFieldStorage?: CustomFieldStorage;
  /** Who reads each plugin event type (the plugin host's): the `events` query, subscription and histories honour it. */
  eventReaders?: EventReaders;
}

/** Composes the GraphQL schema: the core customer graph, then each extension in order. */
export function buildSchema(options: BuildSchemaOptions = {}): GraphQLSchema {
  const builder = createBuilder();
  builder.queryType({ description: 'The customer graph. Every field needs an API key (Authorization: Bearer <apiKey>).' });
  builder.mutationType({
    description: 'Every mutation is one transaction: it changes everything it names, or nothing.',
    // Checked before any resolver or input validation: a READ_ONLY key learns nothing but FORBIDDEN.
    authScopes: { member: true },
  });
  registerScalars(builder);
  const enums = registerEnums(builder);
  const customObjects = options.customObjects ?? [];
  const definitions = { fields: options.customFields ?? [], objects: customObjects };
  const catalog = new ObjectCatalog(workspaceDeclarations([...coreObjects, ...(options.objects ?? [])], definitions));
  const declaredEnums = { ...enums, ...registerDeclaredEnums(builder, options.objects ?? [], enums) };
  const objects = new DeclaredObjects(builder, catalog, declaredEnums, enums.OrderDirection);
  registerUsers(builder, enums, objects);
  const roleRef = registerRoles(builder, enums, catalog);
  registerAccess(builder, enums, roleRef, catalog);
  registerCustomers(builder, enums, objects);
  registerCompanies(builder, enums, objects);
  registerSales(builder, enums, objects);
  registerCollaboration(builder, enums, objects);
  registerService(builder, enums, objects);
  registerCommerce(builder, enums, objects);
  registerMarketing(builder, enums, objects);
  registerGlobalSearch(builder, catalog);
  const crmEvent = registerEvents(builder);
  registerAuditLog(builder, crmEvent);
  registerDashboardMetrics(builder, enums);
  registerWebhooks(builder, enums, roleRef, catalog, options.webhooks);
  registerAnalytics(builder, enums);
  registerReports(builder, enums);
  registerSegments(builder, enums, objects);
  registerTrash(builder, options.objects, customObjects.map((object) => catalog.get(object.name)));
  registerDataOperations(builder);
  registerCustomObjects(builder, registerCustomFields(builder, catalog, options.customFieldStorage), options.customFieldStorage);
  // Plugins' declared objects: their types and root fields come from the declarations, like core's.
  for (const declaration of options.objects ?? []) {
    const ref = objects.register(declaration.name);
    // Where an object that takes custom fields shows their changes (`competitor.updated`'s `changes.customFields`).
    if (declaration.customFields) registerHistoryField(builder, crmEvent, ref, declaration.name, 'subjectId', `events about the ${declaration.name}`);
  }
  // The workspace's custom objects: declared at run time, derived like every other object.
  for (const object of customObjects) registerCustomObjectRecords(builder, objects, catalog.get(object.name), crmEvent);
  registerBulkOperations(builder, objects);
  registerRecordImport(builder, objects);
  for (const extend of options.extend ?? []) extend(builder);
  // Not sorted: enum values keep their meaningful order (lifecycle stages are a funnel).
  // Resolvers also answer from the read engine's JSON when it answered part of an operation (per-field fallback).
  return answerFromEngine(builder.toSchema({ sortSchema: false, extensions: { objectCatalog: catalog, eventReaders: options.eventReaders } }));
}
