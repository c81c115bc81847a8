// Resolve: a createCustomerByIdentity form that first asks explainResolution what would happen
// (which customer is chosen and why, which are merged, which identities attached) and only then,
// for that same input, applies it.
import { useMemo, useState, type SubmitEvent } from 'react';
import { useClient, useMutation, useQuery, type CombinedError } from 'urql';
import { displayName, ExplainQuery, IdentityTypesQuery, ResolveMutation, type CustomerSummary } from '../api.ts';
import { href } from '../router.ts';
import { ErrorNote, useAbilities } from '../ui.tsx';

interface Explanation {
  wouldCreate: boolean;
  targetCustomerId: number | null;
  targetReason: string;
  steps: string[];
  profileFields: string[];
  targetCustomer: CustomerSummary | null;
  merges: { customerId: number; merge: boolean; reason: string; conflictingType: string | null }[];
  attachments: { identityType: string; identityValue: string; attach: boolean; reason: string }[];
  conflicts: { stage: string; identityType: string; customerId: number; heldValue: string; givenValue: string | null; reason: string }[];
}

interface Applied {
  customerId: number;
  created: boolean;
  mergedCustomerIds: number[];
}

const PROFILE = [
  ['name', 'Name'],
  ['realName', 'Real name'],
  ['mobile', 'Mobile'],
  ['email', 'E-mail'],
  ['city', 'City'],
  ['remark', 'Remark'],
] as const;

type Profile = Partial<Record<(typeof PROFILE)[number][0], string>>;

export function ResolvePage() {
  const { read, write } = useAbilities();
  const client = useClient();
  const [types] = useQuery<{ identityTypes: { name: string }[] }>({ query: IdentityTypesQuery });
  const [identities, setIdentities] = useState([{ identityType: 'phone', identityValue: '' }]);
  const [profile, setProfile] = useState<Profile>({});
  const [autoMerge, setAutoMerge] = useState(false);
  const [targetCustomerStrategy, setTarget] = useState('identityFirst');
  const [explained, setExplained] = useState<{ key: string; explanation: Explanation }>();
  const [explainError, setExplainError] = useState<CombinedError>();
  const [applied, apply] = useMutation<{ createCustomerByIdentity: Applied }>(ResolveMutation);

  const input = useMemo(() => {
    const fields = Object.fromEntries(Object.entries(profile).filter(([, v]) => v?.trim()));
    const identityList = identities.filter((i) => i.identityValue.trim());
    return { identityList, autoMerge, targetCustomerStrategy, ...fields };
  }, [identities, profile, autoMerge, targetCustomerStrategy]);
  const key = JSON.stringify(input);
  const current = explained?.key === key ? explained.explanation : undefined;

  const explain = async (event: SubmitEvent) => {
    event.preventDefault();
    const result = await client
      .query<{ explainResolution: Explanation }>(ExplainQuery, { input }, { requestPolicy: 'network-only' })
      .toPromise();
    setExplainError(result.error);
    if (result.data) setExplained({ key, explanation: result.data.explainResolution });
  };
  const setIdentity = (index: number, change: Partial<(typeof identities)[number]>) =>
    setIdentities(identities.map((identity, i) => (i === index ? { ...identity, ...change } : identity)));

  const done = applied.data?.createCustomerByIdentity;
  return (
    <section>
      <h1>Resolve identities</h1>
      <p className="muted">
        Finds or creates the customer these identities point at (createCustomerByIdentity). Explain shows what it would do; Apply does
        exactly that.
      </p>
      <form className="card" onSubmit={explain} aria-label="Resolve">
        <h2>Identities, strongest first</h2>
        {identities.map((identity, index) => (
          <div className="row" key={index}>
            <select
              aria-label={`Identity type ${index + 1}`}
              value={identity.identityType}
              onChange={(e) => setIdentity(index, { identityType: e.target.value })}
            >
              {(types.data?.identityTypes ?? [{ name: identity.identityType }]).map((t) => (
                <option key={t.name}>{t.name}</option>
              ))}
            </select>
            <input
              aria-label={`Identity value ${index + 1}`}
              value={identity.identityValue}
              onChange={(e) => setIdentity(index, { identityValue: e.target.value })}
            />
            <button
              type="button"
              className="secondary"
              disabled={identities.length === 1}
              onClick={() => setIdentities(identities.filter((_, i) => i !== index))}
            >
              Remove
            </button>
          </div>
        ))}
        <button
          type="button"
          className="secondary"
          onClick={() => setIdentities([...identities, { identityType: 'email', identityValue: '' }])}
        >
          Add an identity
        </button>
        <h2>Profile fields to write</h2>
        <div className="form-grid">
          {PROFILE.map(([field, label]) => (
            <label key={field}>
              {label}
              <input value={profile[field] ?? ''} onChange={(e) => setProfile({ ...profile, [field]: e.target.value })} />
            </label>
          ))}
          <label>
            Target
            <select value={targetCustomerStrategy} onChange={(e) => setTarget(e.target.value)}>
              <option value="identityFirst">identityFirst</option>
              <option value="customerFirst">customerFirst</option>
            </select>
          </label>
          <label className="check">
            <input type="checkbox" checked={autoMerge} onChange={(e) => setAutoMerge(e.target.checked)} />
            autoMerge the other customers found
          </label>
        </div>
        <div className="actions">
          <button type="submit" disabled={!read || input.identityList.length === 0}>
            Explain
          </button>
          {write && (
            <button
              type="button"
              className="danger"
              disabled={!current || applied.fetching}
              title={current ? undefined : 'Explain this input first'}
              onClick={() => void apply({ input })}
            >
              Apply
            </button>
          )}
        </div>
        {!read && <p className="hint">This token has no customer:read scope: it cannot ask for an explanation.</p>}
      </form>
      <ErrorNote error={explainError} />
      <ErrorNote error={applied.error} />
      {done && (
        <p className="notice" role="status">
          {done.created ? 'Created' : 'Resolved to'} <a href={href('customer', done.customerId)}>customer #{done.customerId}</a>
          {done.mergedCustomerIds.length > 0 && `, merging ${done.mergedCustomerIds.map((id) => `#${id}`).join(', ')} into it`}.
        </p>
      )}
      {current && <ExplanationView explanation={current} />}
      {explained && !current && <p className="hint">The form changed since the explanation: explain again before applying.</p>}
    </section>
  );
}

function ExplanationView({ explanation: e }: { explanation: Explanation }) {
  return (
    <div className="columns">
      <section className="card" aria-label="Explanation">
        <h2>
          {e.wouldCreate ? (
            'A new customer would be created'
          ) : (
            <>
              Customer <a href={href('customer', e.targetCustomerId!)}>#{e.targetCustomerId}</a>
              {e.targetCustomer && ` (${displayName(e.targetCustomer)})`} would be chosen
            </>
          )}
        </h2>
        <p>{e.targetReason}</p>
        <h3>Reasoning, step by step</h3>
        <ol className="steps">
          {e.steps.map((step, i) => (
            <li key={i}>{step}</li>
          ))}
        </ol>
      </section>
      <section className="card">
        <h3>Identities attached</h3>
        <table className="grid">
          <tbody>
            {e.attachments.map((a) => (
              <tr key={`${a.identityType}:${a.identityValue}`}>
                <td>{a.attach ? '✓ attach' : '— keep'}</td>
                <td className="mono">
                  {a.identityType} {a.identityValue}
                </td>
                <td className="muted">{a.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {e.attachments.length === 0 && <p className="muted">none</p>}
        <h3>Customers merged</h3>
        {e.merges.length === 0 && <p className="muted">none</p>}
        <table className="grid">
          <tbody>
            {e.merges.map((m) => (
              <tr key={m.customerId}>
                <td>{m.merge ? '✓ merge' : '— not merged'}</td>
                <td>
                  <a href={href('customer', m.customerId)}>#{m.customerId}</a>
                </td>
                <td className="muted">{m.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {e.conflicts.length > 0 && (
          <>
            <h3>Conflicts</h3>
            <ul>
              {e.conflicts.map((c, i) => (
                <li key={i}>
                  {c.stage}: {c.reason}
                </li>
              ))}
            </ul>
          </>
        )}
        {e.profileFields.length > 0 && <p className="muted">Fields written: {e.profileFields.join(', ')}</p>}
      </section>
    </div>
  );
}
