import { deleteRecordDocument, recordHeadDocument } from '@crm/gateway/workspace-documents';
import { useState } from 'react';
import { Empty, ErrorMessage, Loading } from '../components/States.js';
import { CustomFieldsCard } from '../custom-fields/CustomFieldsCard.js';
import type { CustomObject } from '../custom-fields/definitions.js';
import type { RecordKind } from '../custom-fields/record-kinds.js';
import { describeError, formatDate } from '../data/format.js';
import { useCrmMutation, useCrmQuery, useLiveVersion } from '../data/hooks.js';
import { useCanEdit } from '../data/role.js';
import { recordIn, UnexpectedAnswer, type WorkspaceRecord } from '../data/workspace-answers.js';
import { recordName, useCustomObjectNamed } from '../records/custom-object.js';
import { ReverseConnections } from '../records/ReverseConnections.js';
import { hrefOf } from '../router.js';

/** A custom object's record: its values (editable), the records pointing at it, and delete (to the trash). */
export function RecordPage({ objectName, id }: { objectName: string; id: string }) {
  const { object, kind, labelField, query } = useCustomObjectNamed(objectName);
  if (query.error) return <ErrorMessage error={query.error} retry={query.refetch} />;
  if (object === undefined) return <Loading what="the record" />;
  if (!object || !kind) return <Empty>This workspace has no object called {objectName} (any more).</Empty>;
  return <RecordView key={`${object.id}:${id}`} object={object} kind={kind} labelField={labelField} id={id} />;
}

function RecordView({ object, kind, labelField, id }: { object: CustomObject; kind: RecordKind; labelField: string | null; id: string }) {
  const canEdit = useCanEdit();
  const query = useCrmQuery<unknown, { id: string }>(recordHeadDocument(kind, labelField), { id });
  // Another user's edit of this record shows without reload.
  const version = useLiveVersion((event) => event.subject?.id === id, query.refetch);

  if (query.error) return <ErrorMessage error={query.error} retry={query.refetch} />;
  if (query.data === undefined) return <Loading what={`the ${object.label}`} />;
  let record: WorkspaceRecord | null;
  try {
    record = recordIn(query.data, kind.single);
  } catch (error) {
    if (error instanceof UnexpectedAnswer) return <Empty>{error.message}</Empty>;
    throw error;
  }
  const list = hrefOf({ page: 'records', object: object.name });
  if (!record) return <Empty>This {object.label} does not exist (any more: it may be in the trash). <a href={list}>Back to the list</a>.</Empty>;
  return (
    <div className="customer-360">
      <section className="card profile" aria-labelledby="record-name">
        <div className="page-head">
          <h1 id="record-name">{recordName(record, labelField)}</h1>
          <span className="badge">{object.label}</span>
        </div>
        <dl className="pairs">
          <dt>Created</dt>
          <dd>{formatDate(typeof record.createdAt === 'string' ? record.createdAt : null)}</dd>
          <dt>Changed</dt>
          <dd>{formatDate(typeof record.updatedAt === 'string' ? record.updatedAt : null)}</dd>
        </dl>
        <p>
          <a href={list}>All {object.pluralName}</a>
        </p>
        {canEdit && <DeleteRecord kind={kind} object={object} id={record.id} onDeleted={() => (location.hash = list)} />}
      </section>
      <CustomFieldsCard kind={kind} recordId={record.id} canEdit={canEdit} version={version} title="Fields" onSaved={query.refetch} />
      <ReverseConnections kind={kind} recordId={record.id} version={version} />
    </div>
  );
}

/** Delete to the trash (`deleteContract`), confirmed, with an optional reason. */
function DeleteRecord({ kind, object, id, onDeleted }: { kind: RecordKind; object: CustomObject; id: string; onDeleted: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const [state, remove] = useCrmMutation<unknown, { input: { id: string; reason: string | null } }>(deleteRecordDocument(kind));
  if (!confirming) {
    return (
      <button type="button" className="secondary danger" onClick={() => setConfirming(true)}>
        Delete {object.label}
      </button>
    );
  }
  return (
    <div className="confirm" role="group" aria-label={`Delete this ${object.label}?`}>
      <p>Move this {object.label} to the trash? It leaves the lists and the records that point at it; it can be restored.</p>
      <label>
        Reason (optional)
        <input value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      {state.error && (
        <p role="alert" className="error">
          {describeError(state.error)}
        </p>
      )}
      <div className="actions start">
        <button type="button" className="secondary small" onClick={() => setConfirming(false)}>
          Cancel
        </button>
        <button
          type="button"
          className="small danger-fill"
          disabled={state.running}
          onClick={async () => {
            const result = await remove({ input: { id, reason: reason.trim() || null } });
            if (!result.error) onDeleted();
          }}
        >
          Move to trash
        </button>
      </div>
    </div>
  );
}
