import { graphql } from '@crm/client';
import { type DragEvent, useState } from 'react';
import { LostReasonDialog } from '../components/LostReasonDialog.js';
import { Empty, ErrorMessage, Loading } from '../components/States.js';
import { pipelinesQuery } from '../data/documents.js';
import { amountOrNull, describeError, formatMoney } from '../data/format.js';
import { useCrmMutation, useCrmQuery, useEventStream, useSettled, useThrottled } from '../data/hooks.js';
import { useCanEdit } from '../data/role.js';
import { hrefOf } from '../router.js';

const dealsQuery = graphql(`
  query BoardDeals($filter: DealFilter!) {
    deals(filter: $filter, first: 100) {
      totalCount
      edges { node { id title amount status lostReason stage { id } customer { id name } } }
    }
  }
`);

export const moveDealMutation = graphql(`
  mutation MoveDeal($input: MoveDealInput!) {
    moveDeal(input: $input) { deal { id status lostReason stage { id } } }
  }
`);

interface Stage {
  id: string;
  name: string;
  probability: number;
  isWon: boolean;
  isLost: boolean;
}

/** Deals as cards in stage columns: drag a card, or use its "Move to" list; others' moves arrive live. */
export function PipelinePage() {
  const pipelines = useCrmQuery(pipelinesQuery, {});
  const [chosen, setChosen] = useState<string | null>(null);
  const all = pipelines.data?.pipelines ?? [];
  const pipeline = all.find((p) => p.id === chosen) ?? all.find((p) => p.isDefault) ?? all[0];
  const [minAmountInput, setMinAmountInput] = useState('');
  const minAmount = useSettled(amountOrNull(minAmountInput), 250);
  const filter = { pipelineId: { eq: pipeline?.id ?? '' }, ...(minAmount ? { amount: { gte: minAmount } } : {}) };
  const deals = useCrmQuery(dealsQuery, { filter }, { pause: !pipeline });
  // Moves arrive with the event's subject (the cache updates the card); new or deleted deals need the list again.
  const refetch = useThrottled(deals.refetch, 300);
  useEventStream({ types: ['deal.created', 'deal.trashed', 'deal.restored', 'deal.stage_changed', 'deal.updated'] }, refetch);
  const canEdit = useCanEdit();
  const [, moveDeal] = useCrmMutation(moveDealMutation);
  const [problem, setProblem] = useState<string | null>(null);
  const [askLost, setAskLost] = useState<{ dealId: string; stage: Stage } | null>(null);
  const [dragging, setDragging] = useState<string | null>(null);

  if (pipelines.error) return <ErrorMessage error={pipelines.error} retry={pipelines.refetch} />;
  if (!pipeline) return <Loading what="pipelines" />;

  async function move(dealId: string, stage: Stage, lostReason?: string) {
    if (stage.isLost && !lostReason) return setAskLost({ dealId, stage });
    setProblem(null);
    const result = await moveDeal({ input: { id: dealId, stageId: stage.id, lostReason: lostReason ?? null } });
    // The cache already undid the optimistic move; say why.
    if (result.error) setProblem(`The deal could not be moved: ${describeError(result.error)}`);
  }

  const onDrop = (stage: Stage) => (event: DragEvent) => {
    event.preventDefault();
    const dealId = event.dataTransfer.getData('text/plain');
    setDragging(null);
    const deal = deals.data?.deals.edges.find((e) => e.node.id === dealId)?.node;
    if (deal && deal.stage.id !== stage.id) void move(dealId, stage);
  };

  return (
    <div className="pipeline">
      <div className="page-head">
        <h1>Pipeline</h1>
        {all.length > 1 && (
          <label>
            Pipeline{' '}
            <select value={pipeline.id} onChange={(event) => setChosen(event.target.value)}>
              {all.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <p className="muted">
          Open {formatMoney(pipeline.openValue)} · weighted {formatMoney(pipeline.weightedValue)}
        </p>
      </div>
      <form className="filters" role="search" aria-label="Deals" onSubmit={(event) => event.preventDefault()}>
        <label>
          Deal amount at least
          <input inputMode="decimal" value={minAmountInput} onChange={(e) => setMinAmountInput(e.target.value)} placeholder="e.g. 1000" />
        </label>
      </form>
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      {deals.error ? (
        <ErrorMessage error={deals.error} retry={deals.refetch} />
      ) : !deals.data ? (
        <Loading what="deals" />
      ) : deals.data.deals.totalCount === 0 ? (
        minAmount ? (
          <Empty>No deal in this pipeline is worth {formatMoney(minAmount)} or more: lower or clear the amount.</Empty>
        ) : (
          <Empty>No deals in this pipeline yet. Create one with the createDeal mutation or from a customer’s page.</Empty>
        )
      ) : (
        <div className="board" data-testid="board">
          {pipeline.stages.map((stage) => {
            const cards = deals.data!.deals.edges.filter((e) => e.node.stage.id === stage.id);
            return (
              <section
                key={stage.id}
                className={`column${dragging ? ' droppable' : ''}`}
                aria-labelledby={`stage-${stage.id}`}
                data-stage={stage.name}
                onDragOver={canEdit ? (event) => event.preventDefault() : undefined}
                onDrop={canEdit ? onDrop(stage) : undefined}
              >
                <h2 id={`stage-${stage.id}`}>
                  {stage.name} <span className="count">{cards.length}</span>
                </h2>
                <ul>
                  {cards.map(({ node: deal }) => (
                    <li
                      key={deal.id}
                      className="deal-card"
                      data-deal={deal.title}
                      draggable={canEdit}
                      onDragStart={(event) => {
                        event.dataTransfer.setData('text/plain', deal.id);
                        setDragging(deal.id);
                      }}
                      onDragEnd={() => setDragging(null)}
                    >
                      <strong>{deal.title}</strong>
                      <span>{formatMoney(deal.amount)}</span>
                      <a href={hrefOf({ page: 'customer', id: deal.customer.id })}>{deal.customer.name}</a>
                      {deal.lostReason && <span className="muted">Lost: {deal.lostReason}</span>}
                      {canEdit && (
                        <label className="move">
                          <span className="visually-hidden">Move {deal.title} to</span>
                          <select
                            value={deal.stage.id}
                            onChange={(event) => {
                              const target = pipeline.stages.find((s) => s.id === event.target.value);
                              if (target) void move(deal.id, target);
                            }}
                          >
                            {pipeline.stages.map((s) => (
                              <option key={s.id} value={s.id}>
                                {s.id === deal.stage.id ? `In ${s.name}` : `Move to ${s.name}`}
                              </option>
                            ))}
                          </select>
                        </label>
                      )}
                    </li>
                  ))}
                </ul>
              </section>
            );
          })}
        </div>
      )}
      {askLost && (
        <LostReasonDialog
          stageName={askLost.stage.name}
          onCancel={() => setAskLost(null)}
          onConfirm={(reason) => {
            const { dealId, stage } = askLost;
            setAskLost(null);
            void move(dealId, stage, reason);
          }}
        />
      )}
    </div>
  );
}
