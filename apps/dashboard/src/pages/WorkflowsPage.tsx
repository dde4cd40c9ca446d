import { Empty, ErrorMessage, Loading } from '../components/States.js';
import { formatDate, formatTime } from '../data/format.js';
import { useCrmQuery } from '../data/hooks.js';
import { hrefOf } from '../router.js';
import { versionState } from '../workflows/definition.js';
import { workflowsQuery } from '../workflows/documents.js';
import { EnabledSwitch } from '../workflows/EnabledSwitch.js';
import { StatusBadge } from '../workflows/RunView.js';
import { anyUnderWay, useLiveRuns } from '../workflows/useLiveRuns.js';

/** The workspace's workflows (ADMIN): state, version, the latest runs; enable or disable each. */
export function WorkflowsPage() {
  const query = useCrmQuery(workflowsQuery, {});
  const workflows = query.data?.workflows;
  useLiveRuns(query.refetch, anyUnderWay(workflows?.flatMap((w) => w.runs) ?? []));

  if (query.error) return <ErrorMessage error={query.error} retry={query.refetch} />;
  if (!workflows) return <Loading what="the workflows" />;
  return (
    <div className="workflows">
      <div className="page-head">
        <h1>Workflows</h1>
        <p className="muted" role="status">
          {workflows.length} workflow{workflows.length === 1 ? '' : 's'}
        </p>
      </div>
      {workflows.length === 0 ? (
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
          </table>
        </div>
      )}
    </div>
  );
}
