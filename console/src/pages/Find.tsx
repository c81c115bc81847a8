// Find: one search box. Exact matches first (a customer id, or any identity value of any type),
// then the customers whose phone, name, real name or nickname contain the text, a page at a time.
import { useEffect, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import {
  CustomerByIdQuery,
  displayName,
  identityLookupQuery,
  IdentityTypesQuery,
  SearchQuery,
  type CustomerSummary,
  type Page,
} from '../api.ts';
import { href, replaceRoute } from '../router.ts';
import { ErrorNote, useAbilities, useDebounced, when } from '../ui.tsx';

const PAGE_SIZE = 20;
/** Identity types looked up exactly, strongest first (the gateway allows 15 aliases a request by default). */
const LOOKUP_TYPES = 10;

export function FindPage({ initial }: { initial: string }) {
  const { read } = useAbilities();
  const [text, setText] = useState(initial);
  const [pageIndex, setPageIndex] = useState(0);
  const term = useDebounced(text.trim(), 250);
  useEffect(() => {
    setPageIndex(0);
    // Keeps the term in the address (reload, back); never over an address that went elsewhere meanwhile.
    if (/^(#\/?(find)?(\?|$)|$)/.test(location.hash)) replaceRoute(href('find', undefined, { q: term }));
  }, [term]);

  if (!read) return <p className="hint">This token has no customer:read scope: it cannot look customers up.</p>;
  return (
    <section className="find">
      <input
        className="search"
        type="search"
        aria-label="Search customers"
        placeholder="Phone, e-mail, name, any identity value or customer id"
        value={text}
        autoFocus
        onChange={(e) => setText(e.target.value)}
      />
      <ExactMatches term={term} />
      <SearchResults term={term} pageIndex={pageIndex} setPageIndex={setPageIndex} />
    </section>
  );
}

function ExactMatches({ term }: { term: string }) {
  const [types] = useQuery<{ identityTypes: { name: string; normalization: string }[] }>({ query: IdentityTypesQuery });
  // Types whose values are digits only (phone, QQ) are not asked about a term without digits; at
  // most the strongest LOOKUP_TYPES types, as one request of aliases stays under GRAPHQL_MAX_ALIASES.
  const names = useMemo(
    () =>
      (types.data?.identityTypes ?? [])
        .filter((t) => t.normalization !== 'DIGITS' || /\d/.test(term))
        .slice(0, LOOKUP_TYPES)
        .map((t) => t.name),
    [types.data, term],
  );
  const lookup = useMemo(() => identityLookupQuery(names.length ? names : ['phone']), [names]);
  const isId = /^\d{1,9}$/.test(term);
  const [byId] = useQuery<{ customer: CustomerSummary | null }>({ query: CustomerByIdQuery, variables: { id: term }, pause: !isId });
  const [byIdentity] = useQuery<Record<string, CustomerSummary | null>>({
    query: lookup,
    variables: { value: term },
    pause: !term || names.length === 0 || term.length > 200,
  });
  const found = new Map<number, { customer: CustomerSummary; why: string }>();
  if (isId && byId.data?.customer) found.set(byId.data.customer.customerId, { customer: byId.data.customer, why: 'customer id' });
  names.forEach((type, i) => {
    const customer = byIdentity.data?.[`i${i}`];
    if (customer && !found.has(customer.customerId)) found.set(customer.customerId, { customer, why: type });
  });
  if (!term || found.size === 0) return null;
  return (
    <div className="exact">
      <h2>Exact match</h2>
      <ul className="results">
        {[...found.values()].map(({ customer, why }) => (
          <ResultRow key={customer.customerId} customer={customer} badge={why} />
        ))}
      </ul>
    </div>
  );
}

function SearchResults(props: { term: string; pageIndex: number; setPageIndex: (n: number) => void }) {
  const { term, pageIndex, setPageIndex } = props;
  const [{ data, error, fetching }] = useQuery<{ customers: Page<CustomerSummary> }>({
    query: SearchQuery,
    variables: { search: term || null, first: PAGE_SIZE, offset: pageIndex * PAGE_SIZE },
  });
  const page = data?.customers;
  const pages = page ? Math.max(1, Math.ceil(page.totalCount / PAGE_SIZE)) : 1;
  return (
    <div>
      <div className="results-head">
        <h2>{term ? `Customers matching “${term}”` : 'Newest customers'}</h2>
        <span className="muted" aria-live="polite">
          {fetching ? 'searching…' : page ? `${page.totalCount} found` : ''}
        </span>
      </div>
      <ErrorNote error={error} />
      <ul className="results" aria-label="Search results">
        {page?.edges.map(({ node }) => (
          <ResultRow key={node.customerId} customer={node} />
        ))}
      </ul>
      {page && page.totalCount === 0 && <p className="muted">Nothing found.</p>}
      {page && pages > 1 && (
        <div className="pager">
          <button type="button" disabled={pageIndex === 0} onClick={() => setPageIndex(pageIndex - 1)}>
            ← Previous
          </button>
          <span>
            Page {pageIndex + 1} of {pages}
          </span>
          <button type="button" disabled={!page.pageInfo.hasNextPage} onClick={() => setPageIndex(pageIndex + 1)}>
            Next →
          </button>
        </div>
      )}
    </div>
  );
}

function ResultRow({ customer, badge }: { customer: CustomerSummary; badge?: string }) {
  const extra = customer.identities.filter((i) => i.identityType !== 'phone' && i.identityType !== 'email').slice(0, 3);
  return (
    <li>
      <a href={href('customer', customer.customerId)} className="result">
        <span className="id">#{customer.customerId}</span>
        <strong>{displayName(customer)}</strong>
        <span>{badge && <span className="badge">{badge}</span>}</span>
        <span>{customer.mobile ?? customer.identities.find((i) => i.identityType === 'phone')?.identityValue}</span>
        <span>{customer.email ?? customer.identities.find((i) => i.identityType === 'email')?.identityValue}</span>
        <span className="muted">{extra.map((i) => `${i.identityType}: ${i.identityValue}`).join(' · ')}</span>
        <span className="muted right">
          {customer.city ? `${customer.city} · ` : ''}
          {when(customer.createdAt)}
        </span>
      </a>
    </li>
  );
}
