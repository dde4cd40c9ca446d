import type { ObjectDeclaration } from '@crm/core';
import { enums } from '@crm/db';
import type { Builder } from '../builder.js';
import { rfmSegmentValues } from './analytics-inputs.js';

/** GraphQL enums mirror the database's; one place registers them all. */
export function registerEnums(builder: Builder) {
  return {
    Role: builder.enumType(enums.Role, { name: 'Role' }),
    LifecycleStage: builder.enumType(enums.LifecycleStage, { name: 'LifecycleStage' }),
    Channel: builder.enumType(enums.Channel, { name: 'Channel' }),
    CompanySize: builder.enumType(enums.CompanySize, { name: 'CompanySize' }),
    DealStatus: builder.enumType(enums.DealStatus, { name: 'DealStatus' }),
    ActivityType: builder.enumType(enums.ActivityType, { name: 'ActivityType' }),
    Direction: builder.enumType(enums.Direction, { name: 'Direction' }),
    TaskStatus: builder.enumType(enums.TaskStatus, { name: 'TaskStatus' }),
    TicketStatus: builder.enumType(enums.TicketStatus, { name: 'TicketStatus' }),
    TicketPriority: builder.enumType(enums.TicketPriority, { name: 'TicketPriority' }),
    SurveyKind: builder.enumType(enums.SurveyKind, { name: 'SurveyKind' }),
    CampaignResponseKind: builder.enumType(enums.CampaignResponseKind, { name: 'CampaignResponseKind' }),
    SegmentKind: builder.enumType(enums.SegmentKind, { name: 'SegmentKind', description: 'How a saved segment’s members are decided: by its filter (FILTER), or by hand (STATIC).' }),
    OrderDirection: builder.enumType('OrderDirection', { values: ['ASC', 'DESC'] as const }),
    RfmSegment: builder.enumType('RfmSegment', {
      description: 'RFM segments on the recency × frequency quintile grid (see docs/analytics.md).',
      values: rfmSegmentValues,
    }),
  };
}

export type Enums = ReturnType<typeof registerEnums>;

/**
 * The enums plugins' declared objects use (their Prisma enums, generated with core's), registered once each: a
 * declaration's enum field is typed, filtered and grouped by it like a core enum.
 */
export function registerDeclaredEnums(builder: Builder, declarations: readonly ObjectDeclaration[], registered: Readonly<Record<string, unknown>>) {
  const added: Record<string, ReturnType<Builder['enumType']>> = {};
  for (const declaration of declarations) {
    for (const field of Object.values(declaration.fields)) {
      const name = field.kind === 'enum' ? field.enum : undefined;
      if (!name || name in registered || name in added) continue;
      const values = (enums as Record<string, Record<string, string>>)[name];
      if (!values) throw new Error(`${declaration.name}: no database enum ${name}`);
      added[name] = builder.enumType(values, { name });
    }
  }
  return added;
}
