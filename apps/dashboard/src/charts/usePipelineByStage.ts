// Open deal value per stage of the default pipeline: one `dealsGroupBy` answered by the gateway in one SQL statement
// (the browser used to page through the open deals and add them up).
import { graphql } from '@crm/client';
import { useEffect, useMemo } from 'react';
import { useCrmQuery } from '../data/hooks.js';

const openByStage = graphql(`
  query OpenPipelineByStage($pipelineId: ID!) {
    dealsGroupBy(filter: { pipelineId: { eq: $pipelineId }, status: { eq: OPEN } }, by: [{ field: STAGE_ID }]) {
      key { stageId }
      aggregate { count sum { amount } }
    }
  }
`);

interface PipelineStages {
  id: string;
  stages: { id: string; name: string; isWon: boolean; isLost: boolean }[];
}

/** Labels (the open stages, in pipeline order) and values (their open amount); null until the answer is in. */
export function usePipelineByStage(pipeline: PipelineStages | undefined, version: number) {
  const groups = useCrmQuery(openByStage, { pipelineId: pipeline?.id ?? '' }, { pause: !pipeline, requestPolicy: 'network-only' });
  // `version` moves after deal events: ask the server again.
  const { refetch } = groups;
  useEffect(() => void (version > 0 && refetch()), [version, refetch]);
  const data = groups.data?.dealsGroupBy;
  return useMemo(() => {
    if (!pipeline || !data) return null;
    const amounts = new Map(data.map((group) => [group.key.stageId, Number(group.aggregate.sum?.amount ?? 0)]));
    const open = pipeline.stages.filter((stage) => !stage.isWon && !stage.isLost);
    return { labels: open.map((stage) => stage.name), values: open.map((stage) => Math.round(amounts.get(stage.id) ?? 0)) };
  }, [pipeline, data]);
}
