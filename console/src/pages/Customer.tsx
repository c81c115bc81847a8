// The customer page: profile, identities, groups, friends, follow links, attributes, tags, the
// identity graph, the merge history (with Unmerge) and the form that merges another customer in.
import { useEffect } from 'react';
import { useQuery, useSubscription } from 'urql';
import {
  CustomerChangedSubscription,
  CustomerQuery,
  displayName,
  MergeHistoryQuery,
  type CustomerDetail,
  type MergeEvent,
} from '../api.ts';
import { href, replaceRoute } from '../router.ts';
import { ErrorNote, useAbilities, when } from '../ui.tsx';
import { IdentityGraph } from './IdentityGraph.tsx';
import { MergeForm } from './MergeForm.tsx';
import { MergeHistory } from './MergeHistory.tsx';

const PROFILE_FIELDS: [keyof CustomerDetail, string][] = [
  ['realName', 'Real name'],
  ['nickName', 'Nickname'],
  ['mobile', 'Mobile'],
  ['email', 'E-mail'],
  ['gender', 'Gender'],
  ['birthday', 'Birthday'],
  ['company', 'Company'],
  ['position', 'Position'],
  ['province', 'Province'],
  ['city', 'City'],
  ['district', 'District'],
  ['address', 'Address'],
  ['source', 'Source'],
  ['remark', 'Remark'],
];

const GENDERS: Record<number, string> = { 0: 'unknown', 1: 'male', 2: 'female' };

export function CustomerPage({ id }: { id: string }) {
  const { read } = useAbilities();
  const [customerResult, refetchCustomer] = useQuery<{ customer: CustomerDetail | null }>({
    query: CustomerQuery,
    variables: { id },
    pause: !read,
  });
  const [historyResult, refetchHistory] = useQuery<{ mergeEvents: { totalCount: number; edges: { node: MergeEvent }[] } }>({
    query: MergeHistoryQuery,
    variables: { id },
    pause: !read,
  });
  const customer = customerResult.data?.customer;
  // A merged-away id answers with the survivor: show the survivor's own address.
  const survivorId = customer && String(customer.customerId) !== id ? customer.customerId : undefined;
  useEffect(() => {
    if (survivorId) replaceRoute(href('customer', survivorId, { from: id }));
  }, [survivorId, id]);

  const refresh = () => {
    refetchCustomer({ requestPolicy: 'network-only' });
    refetchHistory({ requestPolicy: 'network-only' });
  };
  // Writes by anyone else (another tab, an app, the REST shim) show up without a reload.
  const [change] = useSubscription<
    { customerChanged: { kind: string; mergedInto: number | null } },
    { kind: string; mergedInto: number | null }
  >(
    { query: CustomerChangedSubscription, variables: { id: String(customer?.customerId ?? id) }, pause: !read || !customer },
    (_previous, data) => ({ ...data.customerChanged }),
  );
  useEffect(() => {
    if (change.data) refresh();
  }, [change.data]);

  if (!read) return <p className="hint">This token has no customer:read scope.</p>;
  if (customerResult.error) return <ErrorNote error={customerResult.error} />;
  if (!customer)
    return customerResult.fetching ? <p>Loading…</p> : <p className="muted">No live customer #{id} (unknown, deleted or erased).</p>;
  const events = historyResult.data?.mergeEvents.edges.map((e) => e.node) ?? [];
  return (
    <article className="customer">
      <header className="customer-head">
        <h1>
          {displayName(customer)} <span className="id">#{customer.customerId}</span>
        </h1>
        {survivorId && (
          <p className="notice">
            #{id} was merged into #{customer.customerId}; this is the customer it resolves to.
          </p>
        )}
        <p className="muted">
          created {when(customer.createdAt)} · updated {when(customer.updatedAt)}
        </p>
        {change.data?.kind === 'MERGED' && change.data.mergedInto && (
          <p className="notice" role="status">
            Just merged into <a href={href('customer', change.data.mergedInto)}>#{change.data.mergedInto}</a>.
          </p>
        )}
      </header>
      <div className="columns">
        <div className="column">
          <Profile customer={customer} />
          <Identities customer={customer} />
          <Relations customer={customer} />
        </div>
        <div className="column">
          <section className="card">
            <h2>Identity graph</h2>
            <IdentityGraph customer={customer} events={events} />
          </section>
          <MergeHistory customerId={customer.customerId} events={events} error={historyResult.error} onChanged={refresh} />
          <MergeForm target={customer} onMerged={refresh} />
        </div>
      </div>
    </article>
  );
}

function Profile({ customer }: { customer: CustomerDetail }) {
  const rows = PROFILE_FIELDS.filter(([field]) => customer[field] !== null && customer[field] !== '');
  return (
    <section className="card">
      <h2>Profile</h2>
      <dl className="fields">
        <dt>Name</dt>
        <dd>{customer.name ?? <span className="muted">—</span>}</dd>
        {rows.map(([field, label]) => (
          <Field
            key={field}
            label={label}
            value={field === 'gender' ? GENDERS[customer.gender ?? 0] : String(customer[field] as string | number)}
          />
        ))}
      </dl>
      {customer.tags.length > 0 && (
        <p className="chips" aria-label="Tags">
          {customer.tags.map((tag) => (
            <span key={tag} className="chip">
              {tag}
            </span>
          ))}
        </p>
      )}
      {customer.extendedAttributes.length > 0 && (
        <>
          <h3>Extended attributes</h3>
          <dl className="fields">
            {customer.extendedAttributes.map((a) => (
              <Field key={a.attrKey} label={a.attrName} value={a.attrValue ?? ''} title={a.attrKey} />
            ))}
          </dl>
        </>
      )}
    </section>
  );
}

function Field({ label, value, title }: { label: string; value: string; title?: string }) {
  return (
    <>
      <dt title={title}>{label}</dt>
      <dd>{value}</dd>
    </>
  );
}

function Identities({ customer }: { customer: CustomerDetail }) {
  return (
    <section className="card">
      <h2>Identities ({customer.identities.length})</h2>
      <table className="grid">
        <thead>
          <tr>
            <th>Type</th>
            <th>Value</th>
            <th>Source</th>
            <th>Since</th>
          </tr>
        </thead>
        <tbody>
          {customer.identities.map((i) => (
            <tr key={`${i.identityType}:${i.identityValue}`}>
              <td>
                <span className="badge">{i.identityType}</span>
              </td>
              <td className="mono">{i.identityValue}</td>
              <td className="muted">{i.source}</td>
              <td className="muted">{when(i.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Relations({ customer }: { customer: CustomerDetail }) {
  return (
    <section className="card">
      <h2>Groups, friends and followers</h2>
      <h3>Groups</h3>
      {customer.groups.length ? (
        <p className="chips">
          {customer.groups.map((g) => (
            <span key={g.groupId} className="chip" title={`${g.kind} #${g.groupId}`}>
              {g.name}
            </span>
          ))}
        </p>
      ) : (
        <p className="muted">none</p>
      )}
      <h3>Friends</h3>
      {customer.friends.length ? (
        <ul className="inline-list">
          {customer.friends.map((f) => (
            <li key={f.customerId}>
              <a href={href('customer', f.customerId)}>
                {displayName(f)} #{f.customerId}
              </a>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">none</p>
      )}
      <h3>Followed by</h3>
      {customer.followers.length ? (
        <table className="grid">
          <tbody>
            {customer.followers.map((f) => (
              <tr key={f.id}>
                <td>user {f.userId}</td>
                <td className="muted">{f.reference}</td>
                <td className="muted">{[f.template, f.script].filter(Boolean).join(' · ')}</td>
                <td className="muted">{when(f.created)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">none</p>
      )}
    </section>
  );
}
