import { graphql } from '@crm/client';
import { type FormEvent, useState } from 'react';
import { describeError, titleCase } from '../data/format.js';
import { useCrmMutation } from '../data/hooks.js';
import { LIFECYCLE_STAGES, type LifecycleStage } from '../data/key-figures.js';
import { hrefOf } from '../router.js';

const createCustomer = graphql(`
  mutation NewCustomer($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id name } } }
`);

/** Adds a customer (MEMBER and ADMIN keys); lists refresh through the cache. */
export function NewCustomerForm() {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [stage, setStage] = useState<LifecycleStage>('LEAD');
  const [state, create] = useCrmMutation(createCustomer);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await create({ input: { name: name.trim(), email: email.trim() || null, lifecycleStage: stage } });
    if (result.data) location.hash = hrefOf({ page: 'customer', id: result.data.createCustomer.customer.id });
  }

  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        New customer
      </button>
    );
  }
  return (
    <form className="card inline-form" onSubmit={submit} aria-labelledby="new-customer-title">
      <h2 id="new-customer-title">New customer</h2>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <label>
        Email
        <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Stage
        <select value={stage} onChange={(e) => setStage(e.target.value as LifecycleStage)}>
          {LIFECYCLE_STAGES.map((s) => (
            <option key={s} value={s}>
              {titleCase(s)}
            </option>
          ))}
        </select>
      </label>
      {state.error && (
        <p role="alert" className="error">
          {describeError(state.error)}
        </p>
      )}
      <div className="actions">
        <button type="button" className="secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
        <button type="submit" disabled={state.running || !name.trim()}>
          Add customer
        </button>
      </div>
    </form>
  );
}
