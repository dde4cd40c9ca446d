import { rfmSegments } from '@crm/analytics';
import { enums } from '@crm/db';
import { ObjectCatalog } from './catalog.js';
import { coreObjects } from './core/index.js';
import type { FilterContext } from './filter/parse-filter.js';
import { decodeGlobalId } from './global-id.js';

/** The core objects alone: what core's own services (saved segments) filter with. */
export const coreCatalog = new ObjectCatalog(coreObjects);

const enumTable: Record<string, readonly string[]> = {
  ...Object.fromEntries(Object.entries(enums).map(([name, values]) => [name, Object.values(values as Record<string, string>)])),
  RfmSegment: rfmSegments,
};

/** The values of an enum the core or its database knows (plugins' enums are checked by GraphQL). */
export const enumValuesOf = (name: string): readonly string[] | undefined => enumTable[name];

/** A filter context over `catalog` with global ids and the database's enums. */
export function coreFilterContext(catalog: ObjectCatalog = coreCatalog, extra: Partial<FilterContext> = {}): FilterContext {
  return { catalog, decodeId: decodeGlobalId, enumValues: enumValuesOf, ...extra };
}
