import { describeError } from '../data/format.js';
import { useCrmMutation } from '../data/hooks.js';
import { setWorkflowEnabled } from './documents.js';

/** Enable or disable a workflow (the cache updates the workflow everywhere); the server's refusal is shown. */
export function EnabledSwitch({ workflow }: { workflow: { id: string; name: string; enabled: boolean } }) {
  const [state, set] = useCrmMutation(setWorkflowEnabled);
  return (
    <span className="switch">
      <label className="inline">
        <input
          type="checkbox"
          role="switch"
          checked={workflow.enabled}
          disabled={state.running}
          aria-label={`${workflow.name}: enabled`}
          onChange={(event) => void set({ input: { id: workflow.id, enabled: event.target.checked } })}
        />
        {workflow.enabled ? 'Enabled' : 'Disabled'}
      </label>
      {state.error && (
        <span role="alert" className="error block">
          {describeError(state.error)}
        </span>
      )}
    </span>
  );
}
