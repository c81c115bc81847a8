// Merge another customer into this one: look the other customer up first, then merge with a reason.
import { useState, type SubmitEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { CustomerByIdQuery, displayName, MergeMutation, type CustomerSummary } from '../api.ts';
import { ErrorNote, useAbilities } from '../ui.tsx';

export function MergeForm({ target, onMerged }: { target: CustomerSummary; onMerged: () => void }) {
  const { write } = useAbilities();
  const [sourceId, setSourceId] = useState('');
  const [reason, setReason] = useState('');
  const [checked, setChecked] = useState<string>();
  const [source] = useQuery<{ customer: CustomerSummary | null }>({
    query: CustomerByIdQuery,
    variables: { id: checked ?? '' },
    pause: !checked,
    requestPolicy: 'network-only',
  });
  const [result, merge] = useMutation<{ mergeCustomers: { mergeEventIds: number[] } }>(MergeMutation);
  if (!write) return null;

  const other = source.data?.customer;
  const sameCustomer = other?.customerId === target.customerId;
  const look = (event: SubmitEvent) => {
    event.preventDefault();
    if (/^\d+$/.test(sourceId.trim())) setChecked(sourceId.trim());
  };
  const confirm = async () => {
    if (!other) return;
    const outcome = await merge({
      targetId: String(target.customerId),
      sourceIds: [String(other.customerId)],
      reason: reason.trim() || null,
    });
    if (!outcome.error) {
      setChecked(undefined);
      setSourceId('');
      setReason('');
      onMerged();
    }
  };
  return (
    <section className="card">
      <h2>Merge a customer into #{target.customerId}</h2>
      <form className="row" onSubmit={look} aria-label="Merge customers">
        <label>
          Customer id to merge
          <input name="sourceId" inputMode="numeric" value={sourceId} onChange={(e) => setSourceId(e.target.value)} size={10} />
        </label>
        <label className="grow">
          Reason
          <input
            name="reason"
            value={reason}
            maxLength={500}
            onChange={(e) => setReason(e.target.value)}
            placeholder="e.g. same person, confirmed by phone"
          />
        </label>
        <button type="submit" disabled={!/^\d+$/.test(sourceId.trim())}>
          Review
        </button>
      </form>
      <ErrorNote error={source.error} />
      {checked && source.data && !other && <p className="error">No live customer #{checked}.</p>}
      {other && sameCustomer && <p className="error">#{checked} is this customer (or already merged into it).</p>}
      {other && !sameCustomer && (
        <div className="preview" aria-label="Merge preview">
          <p>
            <strong>
              {displayName(other)} #{other.customerId}
            </strong>{' '}
            ({other.identities.map((i) => `${i.identityType} ${i.identityValue}`).join(', ') || 'no identities'}) becomes part of{' '}
            <strong>
              {displayName(target)} #{target.customerId}
            </strong>
            : its identities, groups, friends, follow links, attributes and tags move over, and it can be unmerged later.
          </p>
          <div className="actions">
            <button type="button" className="danger" disabled={result.fetching} onClick={confirm}>
              Merge #{other.customerId} into #{target.customerId}
            </button>
            <button type="button" className="secondary" onClick={() => setChecked(undefined)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      <ErrorNote error={result.error} />
    </section>
  );
}
