import { readDefinition, type StepNode } from './definition.js';

const shown = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** A definition to read: the trigger and its condition in words, then the steps as a tree with their branches. */
export function DefinitionView({ definition, label }: { definition: unknown; label: string }) {
  const readable = readDefinition(definition);
  return (
    <div className="definition" data-testid="definition">
      <p>
        <strong>Trigger:</strong> <span data-testid="definition-trigger">{readable.trigger}</span>
      </p>
      {readable.condition && (
        <p>
          <strong>Only when:</strong> <span data-testid="definition-condition">{readable.condition}</span>
        </p>
      )}
      {readable.steps.length === 0 ? (
        <p className="muted">No steps yet.</p>
      ) : (
        <StepList steps={readable.steps} label={label} />
      )}
    </div>
  );
}

function StepList({ steps, label }: { steps: StepNode[]; label: string }) {
  return (
    <ol className="step-tree" aria-label={label}>
      {steps.map((step) => (
        <li key={step.id} data-testid={`step-${step.id}`}>
          <span className="step-kind">{step.kind}</span> <strong>{step.name ?? step.id}</strong>
          {step.settings.length > 0 && (
            <dl className="step-settings">
              {step.settings.map(([key, value]) => (
                <div key={key}>
                  <dt>{key}</dt>
                  <dd>{shown(value)}</dd>
                </div>
              ))}
            </dl>
          )}
          {step.branches.map((branch) => (
            <div className="branch" key={branch.label}>
              <p className="branch-label">{branch.label}</p>
              {branch.steps.length ? <StepList steps={branch.steps} label={branch.label} /> : <p className="muted">Nothing.</p>}
            </div>
          ))}
        </li>
      ))}
    </ol>
  );
}
