import { Empty, ErrorMessage, Loading } from '../components/States.js';
import { formatDate, formatTime } from '../data/format.js';
import { useCrmQuery } from '../data/hooks.js';
import { LoadMore, type PageAnswer, usePages, useReportAnswer } from '../data/paging.js';
import { hrefOf } from '../router.js';
import { versionState } from '../workflows/definition.js';
import { workflowsQuery } from '../workflows/documents.js';
import { EnabledSwitch } from '../workflows/EnabledSwitch.js';
import { StatusBadge } from '../workflows/RunView.js';
import { anyUnderWay, useLiveRuns } from '../workflows/useLiveRuns.js';

/** The workspace's workflows (ADMIN): state, version, the latest runs; enable or disable each. Pages load as you scroll. */
export function WorkflowsPage() {
  const pages = usePages('workflows');
  const count = pages.totalCount;
  return (
    <div className="workflows">
      <div className="page-head">
        <h1>Workflows</h1>
        {count !== undefined && (
          <p className="muted" role="status">
            {count} workflow{count === 1 ? '' : 's'}
          </p>
        )}
      </div>
      {count === 0 ? (
        <Empty>No workflows yet. Create one with the `createWorkflow` mutation (docs/plugins/workflows.md), publish it, then enable it here.</Empty>
      ) : (
        <div className="table-scroll">
          <table className="list stack" data-testid="workflow-list">
            <thead>
              <tr>
                <th scope="col">Workflow</th>
                <th scope="col">State</th>
                <th scope="col">Version</th>
                <th scope="col">Last runs</th>
                <th scope="col" className="wide-only">
                  Updated
                </th>
              </tr>
            </thead>
            {pages.cursors.map((after, index) => (
              <WorkflowsPageRows key={`${pages.key}:${after ?? ''}`} after={after} onAnswer={(answer) => pages.answered(index, answer)} />
            ))}
          </table>
        </div>
      )}
      <LoadMore more={pages.more} loading={pages.loading} onMore={pages.loadMore} />
    </div>
  );
}

/** One page of the list: its query (asked again while one of its runs is under way), its rows. */
function WorkflowsPageRows({ after, onAnswer }: { after: string | null; onAnswer: (answer: PageAnswer) => void }) {
  const query = useCrmQuery(workflowsQuery, { after });
  const connection = query.data?.workflowsConnection;
  const workflows = connection?.edges.map((e) => e.node);
  useLiveRuns(query.refetch, anyUnderWay(workflows?.flatMap((w) => w.runs) ?? []));
  const answer: PageAnswer | undefined = connection && { totalCount: connection.totalCount, hasNextPage: connection.pageInfo.hasNextPage, endCursor: connection.pageInfo.endCursor ?? null };
  useReportAnswer(answer, onAnswer);
  if (query.error || !workflows) {
    return (
      <tbody>
        <tr>
          <td colSpan={5}>{query.error ? <ErrorMessage error={query.error} retry={query.refetch} /> : <Loading what="the workflows" />}</td>
        </tr>
      </tbody>
    );
  }
  return (
    <tbody>
      {workflows.map((workflow) => (
        <tr key={workflow.id}>
          <td>
            <a href={hrefOf({ page: 'workflow', id: workflow.id })}>{workflow.name}</a>
          </td>
          <td data-label="State">
            <EnabledSwitch workflow={workflow} />
          </td>
          <td data-label="Version">{versionState(workflow)}</td>
          <td data-label="Last runs">
            {workflow.runs.length === 0 ? (
              <span className="muted">No runs yet</span>
            ) : (
              <ul className="last-runs">
                {workflow.runs.map((run) => (
                  <li key={run.id}>
                    <StatusBadge status={run.status} /> <time dateTime={run.startedAt}>{`${formatDate(run.startedAt)} ${formatTime(run.startedAt)}`}</time>
                  </li>
                ))}
              </ul>
            )}
          </td>
          <td className="wide-only">{formatDate(workflow.updatedAt)}</td>
        </tr>
      ))}
    </tbody>
  );
}
