import { useState } from 'react';
import { describeError } from '../data/format.js';
import { useCrmMutation } from '../data/hooks.js';
import { setWorkflowEnabled } from './documents.js';

/**
 * Enable or disable a workflow: the switch moves at once and stays while the server answers (then the cache holds the
 * workflow's state everywhere); a refusal moves it back and says why.
 */
export function EnabledSwitch({ workflow }: { workflow: { id: string; name: string; enabled: boolean } }) {
  const [state, set] = useCrmMutation(setWorkflowEnabled);
  const [asked, setAsked] = useState<boolean | null>(null);
  const enabled = asked ?? workflow.enabled;
  async function change(next: boolean) {
    setAsked(next);
    await set({ input: { id: workflow.id, enabled: next } });
    setAsked(null);
  }
  return (
    <span className="switch">
      <label className="inline">
        <input
          type="checkbox"
          role="switch"
          checked={enabled}
          disabled={state.running}
          aria-label={`${workflow.name}: enabled`}
          onChange={(event) => void change(event.target.checked)}
        />
        {enabled ? 'Enabled' : 'Disabled'}
      </label>
      {state.error && (
        <span role="alert" className="error block">
          {describeError(state.error)}
        </span>
      )}
    </span>
  );
}
