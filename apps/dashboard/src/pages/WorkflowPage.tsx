import { useState } from 'react';
import { Empty, ErrorMessage, Loading } from '../components/States.js';
import { formatDate } from '../data/format.js';
import { useCrmQuery } from '../data/hooks.js';
import { hrefOf } from '../router.js';
import { DefinitionView } from '../workflows/DefinitionView.js';
import { versionState } from '../workflows/definition.js';
import { workflowQuery } from '../workflows/documents.js';
import { EnabledSwitch } from '../workflows/EnabledSwitch.js';
import { RunView } from '../workflows/RunView.js';
import { anyUnderWay, useLiveRuns } from '../workflows/useLiveRuns.js';

/** One workflow (ADMIN): its state, its definition to read (published or draft), its runs with their steps. */
export function WorkflowPage({ id }: { id: string }) {
  const query = useCrmQuery(workflowQuery, { id });
  const workflow = query.data?.workflow;
  const [showDraft, setShowDraft] = useState(false);
  useLiveRuns(query.refetch, anyUnderWay(workflow?.runs ?? []));

  if (query.error) return <ErrorMessage error={query.error} retry={query.refetch} />;
  if (query.data === undefined) return <Loading what="the workflow" />;
  if (!workflow) return <Empty>This workflow does not exist (any more). Go back to the <a href={hrefOf({ page: 'workflows' })}>workflows</a>.</Empty>;
  const published = workflow.publishedVersion;
  const draft = showDraft || !published;

  return (
    <div className="workflow">
      <section className="card" aria-labelledby="workflow-name">
        <div className="page-head">
          <h1 id="workflow-name">{workflow.name}</h1>
          {/* An archived workflow is not enabled or run again until restored (restoreWorkflow, through the API). */}
          {workflow.archivedAt ? (
            <span className="badge" data-testid="archived">
              Archived
            </span>
          ) : (
            <EnabledSwitch workflow={workflow} />
          )}
        </div>
        <dl className="pairs">
          {workflow.archivedAt && (
            <>
              <dt>Archived</dt>
              <dd>{formatDate(workflow.archivedAt)}: it never triggers and is not run again until restored (restoreWorkflow)</dd>
            </>
          )}
          <dt>Version</dt>
          <dd data-testid="version-state">{versionState(workflow)}</dd>
          <dt>Versions</dt>
          <dd>{workflow.versions.map((v) => `v${v.number} (${formatDate(v.publishedAt)})`).join(', ') || 'None published'}</dd>
          {workflow.nextFireAt && (
            <>
              <dt>Next run</dt>
              <dd>{formatDate(workflow.nextFireAt)}</dd>
            </>
          )}
          {workflow.webhookPath && (
            <>
              <dt>Webhook</dt>
              <dd>
                <code>{workflow.webhookPath}</code>
              </dd>
            </>
          )}
        </dl>
      </section>
      <section className="card" aria-labelledby="definition-title">
        <div className="page-head">
          <h2 id="definition-title">{draft ? 'Draft' : `Published definition (v${published.number})`}</h2>
          {published && (
            <button type="button" className="secondary" onClick={() => setShowDraft(!showDraft)}>
              {showDraft ? 'Show the published version' : 'Show the draft'}
            </button>
          )}
        </div>
        <DefinitionView definition={draft ? workflow.draft : published.definition} label="Steps" />
      </section>
      <section className="card" aria-labelledby="runs-title">
        <div className="page-head">
          <h2 id="runs-title">Runs</h2>
          <button type="button" className="secondary" onClick={query.refetch}>
            Refresh
          </button>
        </div>
        {workflow.runs.length === 0 ? (
          <Empty>No runs yet: a run starts when the trigger fires{workflow.enabled ? '' : ' (enable the workflow first)'}.</Empty>
        ) : (
          <div className="runs">
            {workflow.runs.map((run, i) => (
              <RunView key={run.id} run={run} open={i === 0} archived={workflow.archivedAt != null} onChanged={query.refetch} />
            ))}
          </div>
        )}
      </section>
    </div>
  );
}
