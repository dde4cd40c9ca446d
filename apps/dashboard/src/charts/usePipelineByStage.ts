// Open deal value per stage of the default pipeline.
import { graphql, type ResultOf } from '@crm/client';
import { useEffect, useState } from 'react';
import { useClient } from '../data/hooks.js';

const openDeals = graphql(`
  query OpenDealsByStage($pipelineId: ID!, $after: String) {
    deals(pipelineId: $pipelineId, status: OPEN, first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { id amount stage { id } } }
    }
  }
`);

const MAX_PAGES = 10;

export function usePipelineByStage(pipeline: { id: string; stages: { id: string; name: string; isWon: boolean; isLost: boolean }[] } | undefined, version: number) {
  const client = useClient();
  const [result, setResult] = useState<{ labels: string[]; values: number[] } | null>(null);
  useEffect(() => {
    if (!pipeline) return;
    let cancelled = false;
    (async () => {
      const open = pipeline.stages.filter((stage) => !stage.isWon && !stage.isLost);
      const totals = new Map(open.map((stage) => [stage.id, 0]));
      let after: string | null = null;
      for (let page = 0; page < MAX_PAGES && !cancelled; page++) {
        const answer = await client.query(openDeals, { pipelineId: pipeline.id, after }, { requestPolicy: 'network-only' }).toPromise();
        const deals: ResultOf<typeof openDeals>['deals'] | undefined = answer.data?.deals;
        if (!deals) break;
        for (const { node } of deals.edges) totals.set(node.stage.id, (totals.get(node.stage.id) ?? 0) + Number(node.amount));
        if (!deals.pageInfo.hasNextPage) break;
        after = deals.pageInfo.endCursor ?? null;
      }
      if (!cancelled) setResult({ labels: open.map((stage) => stage.name), values: open.map((stage) => Math.round(totals.get(stage.id) ?? 0)) });
    })();
    return () => {
      cancelled = true;
    };
  }, [client, pipeline, version]);
  return result;
}
