import { defineObject } from '../declaration.js';

/**
 * A saved segment. Its list stays `segments` (by name, a plain list: a workspace has few); declared so that `node(id)`
 * and every place a segment is reached are answered from the declaration, with the read engine. Its members, their
 * count and the CSV are computed (graph/src/modules/segments.ts).
 */
export const Segment = defineObject({
  name: 'Segment',
  description:
    'A saved customer segment: a filter whose membership is kept current (FILTER), or a list of customers added and removed by hand (STATIC); membership changes are announced with events.',
  fields: {
    id: { kind: 'id', sort: true },
    name: { kind: 'string', sort: true },
    kind: { kind: 'enum', enum: 'SegmentKind', description: 'FILTER: its members are its filter’s matches, recomputed by the core; STATIC: added and removed by hand (addSegmentMembers, removeSegmentMembers).' },
    filter: { kind: 'json', nullable: true, description: 'The stored filter: the customer filter language, with global ids and ISO instants (null for a STATIC segment).' },
    createdAt: { kind: 'datetime', sort: true },
    updatedAt: { kind: 'datetime', sort: true },
  },
  defaultOrder: [{ field: 'name', direction: 'asc' }],
});
