// The GraphQL operations the console sends, and the shapes of their answers. Only the public
// schema (schema.graphql) is used.
import { gql } from 'urql';

export interface CustomerSummary {
  customerId: number;
  name: string | null;
  realName: string | null;
  nickName: string | null;
  mobile: string | null;
  email: string | null;
  city: string | null;
  createdAt: string;
  identities: { identityType: string; identityValue: string }[];
}

export interface Identity {
  identityType: string;
  identityValue: string;
  source: string | null;
  createdAt: string;
}

export interface CustomerDetail extends CustomerSummary {
  gender: number | null;
  birthday: string | null;
  company: string | null;
  position: string | null;
  province: string | null;
  district: string | null;
  address: string | null;
  source: string | null;
  remark: string | null;
  updatedAt: string;
  tags: string[];
  identities: Identity[];
  groups: { groupId: number; name: string; kind: string }[];
  friends: CustomerSummary[];
  followers: { id: string; userId: string; reference: string; template: string | null; script: string | null; created: string }[];
  extendedAttributes: { attrKey: string; attrName: string; attrValue: string | null }[];
}

/** MergeEvent.details (src/domain/merge.ts MergeDetails): what moved, for unmergeCustomer. */
export interface MergeDetails {
  identities?: { type: string; value: string }[];
  groups?: { moved: number[]; dropped: unknown[] };
  friends?: { moved: number[]; dropped: unknown[] };
  userLinks?: { moved: number[]; dropped: unknown[] };
  attributes?: { moved: number[]; dropped: unknown[] };
  tags?: { moved: number[]; dropped: unknown[] };
  filled?: { field: string; value: unknown; previous: unknown }[];
}

export interface MergeEvent {
  mergeEventId: number;
  targetId: number;
  sourceId: number;
  reason: string;
  actor: string | null;
  createdAt: string;
  undoneAt: string | null;
  undoneBy: string | null;
  details: MergeDetails;
}

export interface ImportJob {
  batchId: number;
  kind: string;
  origin: string;
  status: string;
  mode: number;
  total: number;
  processed: number;
  succeeded: number;
  failed: number;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface Page<T> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: T }[];
}

/** The person's name as the console shows it. */
export function displayName(c: Pick<CustomerSummary, 'name'>): string {
  // The gateway names every customer it can (README "Names"): no fallback of its own here.
  return c.name || '(no name)';
}

export const ViewerQuery = gql`
  query Viewer {
    viewer {
      appKey
      appName
      scopes
    }
  }
`;

const summaryFields = `
  customerId name realName nickName mobile email city createdAt
  identities { identityType identityValue }
`;

export const SearchQuery = gql`
  query Search($search: String, $first: Int!, $offset: Int) {
    customers(filter: { search: $search }, first: $first, offset: $offset) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ${summaryFields} } }
    }
  }
`;

export const IdentityTypesQuery = gql`
  query IdentityTypes {
    identityTypes {
      name
      normalization
    }
  }
`;

export const CustomerByIdQuery = gql`
  query CustomerById($id: ID!) {
    customer(id: $id) { ${summaryFields} }
  }
`;

/** One exact lookup per identity type, in one request (aliases i0, i1, …). */
export function identityLookupQuery(types: string[]) {
  const lookups = types.map(
    (type, i) => `i${i}: customerByIdentity(identityType: ${JSON.stringify(type)}, identityValue: $value) { ${summaryFields} }`,
  );
  return gql(`query IdentityLookup($value: String!) { ${lookups.join('\n')} }`);
}

export const CustomerQuery = gql`
  query Customer($id: ID!) {
    customer(id: $id) {
      ${summaryFields}
      gender birthday company position province district address source remark updatedAt tags
      identities { identityType identityValue source createdAt }
      groups { groupId name kind }
      friends(first: 50) { ${summaryFields} }
      followers { id userId reference template script created }
      extendedAttributes { attrKey attrName attrValue }
    }
  }
`;

export const MergeHistoryQuery = gql`
  query MergeHistory($id: ID!) {
    mergeEvents(customerId: $id, first: 100) {
      totalCount
      edges {
        node {
          mergeEventId
          targetId
          sourceId
          reason
          actor
          createdAt
          undoneAt
          undoneBy
          details
        }
      }
    }
  }
`;

export const MergeMutation = gql`
  mutation Merge($targetId: ID!, $sourceIds: [ID!]!, $reason: String) {
    mergeCustomers(targetId: $targetId, sourceIds: $sourceIds, reason: $reason) {
      customerId
      mergedCustomerIds
      mergeEventIds
    }
  }
`;

export const UnmergeMutation = gql`
  mutation Unmerge($mergeEventId: ID!) {
    unmergeCustomer(mergeEventId: $mergeEventId) {
      customerId
      targetId
      keptFields
    }
  }
`;

const explanationFields = `
  wouldCreate targetCustomerId targetReason steps profileFields userIds groupId
  targetCustomer { ${summaryFields} }
  candidates { customerId chosen reason foundByListIndex }
  merges { customerId merge reason conflictingType }
  attachments { identityType identityValue attach reason }
  conflicts { stage identityType customerId heldValue givenValue reason }
`;

export const ExplainQuery = gql`
  query Explain($input: CreateCustomerByIdentityInput!) {
    explainResolution(input: $input) { ${explanationFields} }
  }
`;

export const ResolveMutation = gql`
  mutation Resolve($input: CreateCustomerByIdentityInput!) {
    createCustomerByIdentity(input: $input) {
      customerId
      created
      mergedCustomerIds
      mergeEventIds
    }
  }
`;

const jobFields = 'batchId kind origin status mode total processed succeeded failed error createdAt startedAt finishedAt';

export const ImportJobsQuery = gql`
  query ImportJobs($first: Int!, $after: String) {
    importJobs(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ${jobFields} } }
    }
  }
`;

export const ImportJobQuery = gql`
  query ImportJob($id: ID!) {
    importJob(id: $id) { ${jobFields} errors(first: 200) { row field message } }
  }
`;

export const ImportProgressSubscription = gql`
  subscription ImportProgress($id: ID!) {
    importJobProgress(id: $id) { ${jobFields} }
  }
`;

export const ImportMutation = gql`
  mutation Import($input: ImportCustomersInput!) {
    importCustomers(input: $input) { ${jobFields} }
  }
`;

export interface App {
  appKey: string;
  name: string;
  scopes: string[];
  development: boolean;
  activeTokens: number;
  createdAt: string;
  revokedAt: string | null;
}

const appFields = 'appKey name scopes development activeTokens createdAt revokedAt';

export const AppsQuery = gql`
  query Apps {
    apps { ${appFields} }
  }
`;

export const CreateAppMutation = gql`
  mutation CreateApp($name: String!, $scopes: [String!]!) {
    createApp(name: $name, scopes: $scopes) { appKey secret app { ${appFields} } }
  }
`;

export const RevokeAppMutation = gql`
  mutation RevokeApp($appKey: String!) {
    revokeApp(appKey: $appKey) { ${appFields} }
  }
`;

export const RevokeTokenMutation = gql`
  mutation RevokeToken($token: String!) {
    revokeToken(token: $token) {
      revoked
    }
  }
`;

export const CustomerChangedSubscription = gql`
  subscription CustomerChanged($id: ID!) {
    customerChanged(id: $id) {
      kind
      at
      mergedInto
    }
  }
`;
