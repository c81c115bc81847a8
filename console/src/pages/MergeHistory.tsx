// The merge history as a timeline: who merged, when, why and what moved; Unmerge first shows
// what would come back (the merge event's record of what moved), then undoes it.
import { useState } from 'react';
import { useMutation, type CombinedError } from 'urql';
import { UnmergeMutation, type MergeDetails, type MergeEvent } from '../api.ts';
import { href } from '../router.ts';
import { ErrorNote, useAbilities, when } from '../ui.tsx';

function count(list: unknown[] | undefined, singular: string, plural = `${singular}s`): string | null {
  const n = list?.length ?? 0;
  return n ? `${n} ${n === 1 ? singular : plural}` : null;
}

/** "2 identities, 1 group, …": what the merge moved onto the target. */
function movedSummary(d: MergeDetails): string {
  const parts = [
    count(d.identities, 'identity', 'identities'),
    count(d.groups?.moved, 'group'),
    count(d.friends?.moved, 'friend'),
    count(d.userLinks?.moved, 'follow link'),
    count(d.attributes?.moved, 'attribute value'),
    count(d.tags?.moved, 'tag'),
    count(d.filled, 'profile field filled', 'profile fields filled'),
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'nothing but the customer itself';
}

export function MergeHistory(props: { customerId: number; events: MergeEvent[]; error?: CombinedError; onChanged: () => void }) {
  const { events, error } = props;
  return (
    <section className="card">
      <h2>Merge history</h2>
      <ErrorNote error={error} />
      {events.length === 0 && <p className="muted">No merges formed this customer.</p>}
      <ol className="timeline" aria-label="Merge history">
        {events.map((event) => (
          <TimelineEntry key={event.mergeEventId} event={event} onChanged={props.onChanged} />
        ))}
      </ol>
    </section>
  );
}

function TimelineEntry({ event, onChanged }: { event: MergeEvent; onChanged: () => void }) {
  const { write } = useAbilities();
  const [previewing, setPreviewing] = useState(false);
  const [result, unmerge] = useMutation<{ unmergeCustomer: { customerId: number; targetId: number; keptFields: string[] } }>(
    UnmergeMutation,
  );
  const done = result.data?.unmergeCustomer;
  const confirm = async () => {
    const outcome = await unmerge({ mergeEventId: event.mergeEventId });
    if (!outcome.error) onChanged();
  };
  return (
    <li className={event.undoneAt ? 'undone' : ''} data-merge-event={event.mergeEventId}>
      <div className="when">{when(event.createdAt)}</div>
      <div className="what">
        <strong>
          <a href={href('customer', event.sourceId)}>#{event.sourceId}</a> merged into{' '}
          <a href={href('customer', event.targetId)}>#{event.targetId}</a>
        </strong>{' '}
        <span className="muted">event {event.mergeEventId}</span>
        <div>
          by <span className="mono">{event.actor ?? 'unknown'}</span> · why:{' '}
          {event.reason || <span className="muted">no reason given</span>}
        </div>
        <div className="muted">moved: {movedSummary(event.details)}</div>
        {event.undoneAt && (
          <div className="notice">
            Unmerged {when(event.undoneAt)} by <span className="mono">{event.undoneBy}</span>: #{event.sourceId} is a customer of its own
            again.
          </div>
        )}
        {write && !event.undoneAt && !previewing && !done && (
          <button type="button" onClick={() => setPreviewing(true)}>
            Unmerge…
          </button>
        )}
        {previewing && !done && (
          <UnmergePreview event={event} busy={result.fetching} onConfirm={confirm} onCancel={() => setPreviewing(false)} />
        )}
        <ErrorNote error={result.error} />
        {done && (
          <p className="notice" role="status">
            Unmerged: <a href={href('customer', done.customerId)}>#{done.customerId}</a> is back on its own.
            {done.keptFields.length > 0 && ` Kept on #${done.targetId} (changed since the merge): ${done.keptFields.join(', ')}.`}
          </p>
        )}
      </div>
    </li>
  );
}

function UnmergePreview(props: { event: MergeEvent; busy: boolean; onConfirm: () => void; onCancel: () => void }) {
  const { event } = props;
  const d = event.details;
  const restored = [
    count(d.groups?.dropped, 'group membership'),
    count(d.friends?.dropped, 'friendship'),
    count(d.userLinks?.dropped, 'follow link'),
    count(d.attributes?.dropped, 'attribute value'),
    count(d.tags?.dropped, 'tag'),
  ].filter(Boolean);
  return (
    <div className="preview" aria-label="Unmerge preview">
      <h3>Unmerging brings back #{event.sourceId} with what the merge moved:</h3>
      <ul>
        <li>
          identities:{' '}
          {d.identities?.length ? d.identities.map((i) => `${i.type} ${i.value}`).join(', ') : <span className="muted">none</span>}
        </li>
        {d.groups?.moved.length ? <li>groups: {d.groups.moved.map((g) => `#${g}`).join(', ')}</li> : null}
        {d.friends?.moved.length ? <li>friends: {d.friends.moved.map((f) => `#${f}`).join(', ')}</li> : null}
        {d.userLinks?.moved.length ? <li>{count(d.userLinks.moved, 'follow link')}</li> : null}
        {d.attributes?.moved.length ? <li>{count(d.attributes.moved, 'extended attribute value')}</li> : null}
        {d.tags?.moved.length ? <li>{count(d.tags.moved, 'tag')}</li> : null}
        {restored.length > 0 && <li>and what was dropped as a duplicate: {restored.join(', ')}</li>}
        {d.filled?.length ? (
          <li>
            fields the merge filled on #{event.targetId}, cleared again unless changed since: {d.filled.map((f) => f.field).join(', ')}
          </li>
        ) : null}
      </ul>
      <div className="actions">
        <button type="button" className="danger" disabled={props.busy} onClick={props.onConfirm}>
          Unmerge #{event.sourceId}
        </button>
        <button type="button" className="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
