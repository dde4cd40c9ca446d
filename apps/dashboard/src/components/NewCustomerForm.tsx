import { graphql } from '@crm/client';
import { type FormEvent, useState } from 'react';
import { useCrmMutation } from '../data/hooks.js';
import type { LifecycleStage } from '../data/key-figures.js';
import { FormFooter, StageSelect, TextField } from './FormParts.js';
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
      <TextField label="Name" value={name} onChange={setName} required />
      <TextField label="Email" type="email" value={email} onChange={setEmail} />
      <StageSelect value={stage} onChange={setStage} />
      <FormFooter error={state.error} onCancel={() => setOpen(false)} submitLabel="Add customer" disabled={state.running || !name.trim()} />
    </form>
  );
}
