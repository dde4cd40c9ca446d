import { graphql, type ResultOf } from '@crm/client';
import { type FormEvent, useState } from 'react';
import { formatDate, titleCase } from '../data/format.js';
import { useCrmMutation } from '../data/hooks.js';
import type { LifecycleStage } from '../data/key-figures.js';
import { FormFooter, StageSelect, TextField } from './FormParts.js';
import type { customer360 } from '../pages/CustomerPage.js';
import { hrefOf } from '../router.js';

const updateCustomer = graphql(`
  mutation UpdateCustomer($input: UpdateCustomerInput!) {
    updateCustomer(input: $input) { customer { id name email phone lifecycleStage } }
  }
`);

type Customer = NonNullable<ResultOf<typeof customer360>['customer']>;

/** Name, contact, company, stage (with its history); an edit form for MEMBER and ADMIN keys. */
export function CustomerProfile({ customer, canEdit }: { customer: Customer; canEdit: boolean }) {
  const [editing, setEditing] = useState(false);
  return (
    <section className="card profile" aria-labelledby="customer-name">
      <div className="page-head">
        <h1 id="customer-name">{customer.name}</h1>
        <span className={`badge stage-${customer.lifecycleStage.toLowerCase()}`}>{titleCase(customer.lifecycleStage)}</span>
        {canEdit && !editing && (
          <button type="button" className="secondary" onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
      </div>
      {editing ? (
        <EditForm customer={customer} onDone={() => setEditing(false)} />
      ) : (
        <dl className="pairs">
          <dt>Email</dt>
          <dd>{customer.email ?? '—'}</dd>
          <dt>Phone</dt>
          <dd>{customer.phone ?? '—'}</dd>
          <dt>Company</dt>
          <dd>
            {customer.company ? (
              <a href={hrefOf({ page: 'company', id: customer.company.id })}>{`${customer.company.name}${customer.company.domain ? ` (${customer.company.domain})` : ''}`}</a>
            ) : (
              '—'
            )}
          </dd>
          <dt>Owner</dt>
          <dd>{customer.owner?.name ?? 'Unassigned'}</dd>
          <dt>Tags</dt>
          <dd>{customer.tags.length ? customer.tags.join(', ') : '—'}</dd>
          <dt>Customer since</dt>
          <dd>{formatDate(customer.createdAt)}</dd>
          <dt>Stage history</dt>
          <dd>
            {customer.stageHistory.map((change) => `${change.fromStage ? titleCase(change.fromStage) : 'New'} → ${titleCase(change.toStage)} (${formatDate(change.changedAt)})`).join('; ') || '—'}
          </dd>
        </dl>
      )}
    </section>
  );
}

function EditForm({ customer, onDone }: { customer: Customer; onDone: () => void }) {
  const [name, setName] = useState(customer.name);
  const [email, setEmail] = useState(customer.email ?? '');
  const [phone, setPhone] = useState(customer.phone ?? '');
  const [stage, setStage] = useState<LifecycleStage>(customer.lifecycleStage);
  const [state, update] = useCrmMutation(updateCustomer);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await update({ input: { id: customer.id, name: name.trim(), email: email.trim() || null, phone: phone.trim() || null, lifecycleStage: stage } });
    if (!result.error) onDone();
  }
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Edit customer">
      <TextField label="Name" value={name} onChange={setName} required />
      <TextField label="Email" type="email" value={email} onChange={setEmail} />
      <TextField label="Phone" value={phone} onChange={setPhone} />
      <StageSelect value={stage} onChange={setStage} />
      <FormFooter error={state.error} onCancel={onDone} submitLabel="Save" disabled={state.running} />
    </form>
  );
}
