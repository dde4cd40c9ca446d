import { describeError, formatDate, formatTime, titleCase } from '../data/format.js';
import { useCrmMutation } from '../data/hooks.js';
import { hrefOf } from '../router.js';
import { cancelWorkflowRun, rerunWorkflowRun, type WorkflowRunDetail, type WorkflowStepRun } from './documents.js';

/** "1.2 s", "340 ms"; a dash while it has not finished. */
export const formatDuration = (ms: number | null | undefined) => (ms == null ? '—' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

/** A run's or a step's status as a badge (finished well, failed, still going). */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge run-${status.toLowerCase()}`}>{titleCase(status)}</span>;
}

const when = (iso: string | null | undefined) => (iso ? `${formatDate(iso)} ${formatTime(iso)}` : '—');
const json = (value: unknown) => (value == null ? '—' : JSON.stringify(value, null, 2));

const FINISHED = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/**
 * Cancel a run under way, or run a finished one again (on the version it ran; not when the workflow is archived);
 * `onChanged` asks for the runs again.
 */
function RunActions({ run, archived, onChanged }: { run: WorkflowRunDetail; archived: boolean; onChanged: () => void }) {
  const [cancelState, cancel] = useCrmMutation(cancelWorkflowRun);
  const [rerunState, rerun] = useCrmMutation(rerunWorkflowRun);
  const finished = FINISHED.has(run.status);
  if (finished && archived) return null;
  const state = finished ? rerunState : cancelState;
  const act = async () => {
    const result = finished ? await rerun({ input: { id: run.id } }) : await cancel({ input: { id: run.id } });
    if (!result.error) onChanged();
  };
  return (
    <div className="actions start">
      <button type="button" className="secondary small" disabled={state.running} onClick={act}>
        {finished ? 'Run again' : 'Cancel run'}
      </button>
      {state.error && (
        <span role="alert" className="error">
          {describeError(state.error)}
        </span>
      )}
    </div>
  );
}

/** One run: what started it, its status, and each step's status, input, output, error and duration. */
export function RunView({ run, open, archived = false, onChanged }: { run: WorkflowRunDetail; open: boolean; archived?: boolean; onChanged: () => void }) {
  const took = run.finishedAt ? new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime() : null;
  return (
    <details className="run" open={open} data-testid="workflow-run">
      <summary>
        <StatusBadge status={run.status} /> <span>{when(run.startedAt)}</span> <span className="muted">v{run.version.number}</span>{' '}
        <RunSubject run={run} /> <span className="muted">{formatDuration(took)}</span>
      </summary>
      {run.error && (
        <p className="error" role="alert">
          {run.error}
        </p>
      )}
      <RunActions run={run} archived={archived} onChanged={onChanged} />
      {run.heldBack && <p className="muted">Queued: the workspace’s {run.heldBack === 'CONCURRENCY' ? 'concurrency' : 'rate'} limit holds it back.</p>}
      {run.steps.length === 0 ? (
        <p className="muted">No step has run yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="list steps" data-testid="run-steps">
            <thead>
              <tr>
                <th scope="col">Step</th>
                <th scope="col">Status</th>
                <th scope="col" className="number">
                  Duration
                </th>
                <th scope="col">Input, output, error</th>
              </tr>
            </thead>
            <tbody>
              {run.steps.map((step) => (
                <StepRow key={step.id} step={step} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}

/** What the run is about: a customer (a link to their page), another record's type, or what triggered it. */
function RunSubject({ run }: { run: WorkflowRunDetail }) {
  if (run.recordType === 'Customer' && run.recordId) return <a href={hrefOf({ page: 'customer', id: run.recordId })}>the customer</a>;
  return <span className="muted">{run.recordType ? `a ${run.recordType}` : run.triggerId}</span>;
}

function StepRow({ step }: { step: WorkflowStepRun }) {
  return (
    <tr data-testid={`step-run-${step.stepId}`}>
      <td>
        <strong>{step.stepId}</strong>
        <span className="muted block">{step.kind}</span>
      </td>
      <td>
        <StatusBadge status={step.status} />
        {step.attempts > 1 && <span className="muted block">{step.attempts} attempts</span>}
        {step.dueAt && !step.finishedAt && <span className="muted block">due {when(step.dueAt)}</span>}
      </td>
      <td className="number">{formatDuration(step.durationMs)}</td>
      <td>
        {step.error && <p className="error">{step.error}</p>}
        <details>
          <summary>Input</summary>
          <pre>{json(step.input)}</pre>
        </details>
        <details>
          <summary>Output</summary>
          <pre>{json(step.output)}</pre>
        </details>
      </td>
    </tr>
  );
}
