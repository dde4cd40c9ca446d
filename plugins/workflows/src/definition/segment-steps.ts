// Segment steps (`addToSegment`, `removeFromSegment`) change a STATIC segment's members through core's
// `updateSegmentMemberships`. A segment written in the definition (not a template) is checked when the workflow is
// published, and by the dry run: it must be a segment of the workspace (another workspace's is as unknown as none) and
// take members by hand — core's rule (`requireStaticSegment`), asked here ahead of the command, which asks it again
// when the step runs (a segment deleted or turned FILTER since then fails the step). One read for all of a
// definition's segment steps.
import { badInput, requireStaticSegment, type ScopedTransaction } from '@crm/plugin-sdk';
import { segmentId } from '../steps/input-values.js';
import type { Plan } from './plan.js';
import { isPlain } from './plain-values.js';

/** The workspace's segments of `ids` (a workspace-scoped read: another workspace's are not there). */
export type SegmentReader = (ids: string[]) => Promise<{ id: string; name: string; kind: string }[]>;

/** {@link SegmentReader} over a workspace-scoped client or transaction. */
export const segmentsIn =
  (db: Pick<ScopedTransaction, 'segment'>): SegmentReader =>
  (ids) => db.segment.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, kind: true } });

export const isSegmentStep = (kind: string): kind is 'addToSegment' | 'removeFromSegment' => kind === 'addToSegment' || kind === 'removeFromSegment';

/** BAD_USER_INPUT naming `<at>.<step's path>.segment` for the first plain segment that is not a STATIC segment of the workspace. */
export async function checkSegmentSteps(read: SegmentReader, plan: Plan, at = 'definition'): Promise<void> {
  const named: { id: string; field: string }[] = [];
  for (const { step, path } of plan.steps.values()) {
    if (!isSegmentStep(step.kind) || !('segment' in step) || !isPlain(step.segment)) continue;
    // Its form was checked with the plain values (checkDefinition).
    named.push({ id: segmentId(step.segment, 'segment'), field: `${at}.${path}.segment` });
  }
  if (!named.length) return;
  const found = new Map((await read([...new Set(named.map((n) => n.id))])).map((s) => [s.id, s]));
  for (const { id, field } of named) {
    const segment = found.get(id);
    if (!segment) throw badInput(`${field}: no segment ${id} in this workspace`, field);
    requireStaticSegment(segment, field);
  }
}
