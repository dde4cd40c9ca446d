import { defineObject } from '@crm/plugin-sdk';

/**
 * The competitor library, declared once: `competitors(filter, orderBy, search)` with aggregates, `competitorsGroupBy`,
 * `competitor(id)` and the one-statement read engine come from this declaration (docs/architecture.md).
 */
export const Competitor = defineObject({
  name: 'Competitor',
  plural: 'competitors',
  single: 'competitor',
  description: 'A competitor in the workspace library. Mention detection looks for its name and aliases.',
  // A workspace's ADMIN may add fields (`defineCustomField(input: { object: COMPETITOR, … })`): values in the table's
  // `customFields` column, checked by the library's commands (`scope.customValues`).
  customFields: true,
  fields: {
    id: { kind: 'id', sort: true },
    name: { kind: 'string', sort: true, search: 'A', write: true },
    website: { kind: 'string', nullable: true, sort: true, search: 'B', write: true },
    aliases: { kind: 'stringList', write: true },
    strengths: { kind: 'string', nullable: true, search: 'C', write: true },
    weaknesses: { kind: 'string', nullable: true, search: 'C', write: true },
    createdAt: { kind: 'datetime', sort: true, group: true },
    updatedAt: { kind: 'datetime', sort: true },
  },
  /** Names are unique per workspace as compared by `nameKey` (case and spacing do not count). */
  uniqueKeys: [['name']],
  defaultOrder: [{ field: 'name', direction: 'asc' }],
});
