// The operations GraphiQL opens with: one tab per common task, in the order people meet them.
// test/api/graphiql-examples.test.ts parses and validates every tab against the schema.
export interface ExampleOperation {
  query: string;
  variables?: string;
}

const vars = (value: Record<string, unknown>) => JSON.stringify(value, null, 2);

export const exampleOperations: ExampleOperation[] = [
  {
    query: `# Find a customer by phone, with identities, groups,
# friends and followers. Any identity type works:
# "email", "openid", "unionid", "username", …
query FindByPhone($phone: String!) {
  customerByIdentity(
    identityType: "phone"
    identityValue: $phone
  ) {
    customerId
    name
    nickName
    mobile
    identities { identityType identityValue }
    groups { groupId name kind }
    friends(first: 5) { customerId name }
    followers { userId reference }
    extendedAttributes { attrKey attrName attrValue }
  }
}`,
    variables: vars({ phone: '13765348726' }),
  },
  {
    query: `# List customers, newest first, 20 a page, with the total.
# search matches part of the phone, nickname or name; pass pageInfo.endCursor as $after for the next page.
query ListCustomers($search: String, $after: String) {
  customers(first: 20, after: $after, filter: { search: $search }) {
    totalCount
    edges { node { customerId name mobile createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}`,
    variables: vars({ search: '1376' }),
  },
  {
    query: `# Find or create the customer these identities point at (seed 001 createCustomerByIdentity).
# Free identities are attached; with autoMerge, other customers found are merged into the target.
mutation ResolveIdentities($input: CreateCustomerByIdentityInput!) {
  createCustomerByIdentity(input: $input) {
    customerId
    created
    mergedCustomerIds
    customer { name identities { identityType identityValue } }
  }
}`,
    variables: vars({
      input: {
        identityList: [
          { identityType: 'phone', identityValue: '13765348726' },
          { identityType: 'email', identityValue: 'zhangsan@example.com' },
        ],
        identityPriorityStrategy: 'system',
        targetCustomerStrategy: 'identityFirst',
        autoMerge: false,
        name: '张三',
        province: '安徽省',
      },
    }),
  },
  {
    query: `# Dry run: what createCustomerByIdentity would do with this input, step by step. Writes nothing.
query ExplainResolution($input: CreateCustomerByIdentityInput!) {
  explainResolution(input: $input) {
    wouldCreate
    targetCustomerId
    targetReason
    steps
    conflicts { identityType heldValue givenValue stage reason }
    merges { customerId merge reason }
  }
}`,
    variables: vars({
      input: {
        identityList: [
          { identityType: 'phone', identityValue: '13765348726' },
          { identityType: 'openid', identityValue: 'oW7-1234567890' },
        ],
        autoMerge: true,
      },
    }),
  },
  {
    query: `# Merge customers into a target (one transaction). The sources become tombstones whose
# ids still resolve to the target; every merge event can be undone with unmergeCustomer.
mutation Merge($targetId: ID!, $sourceIds: [ID!]!) {
  mergeCustomers(targetId: $targetId, sourceIds: $sourceIds, reason: "same person") {
    customerId
    mergedCustomerIds
    mergeEventIds
    customer { name identities { identityType identityValue } }
  }
}`,
    variables: vars({ targetId: '1', sourceIds: ['2'] }),
  },
  {
    query: `# Undo one merge (newest first along a chain), then see the merge history of a customer.
mutation Unmerge($mergeEventId: ID!) {
  unmergeCustomer(mergeEventId: $mergeEventId) {
    customerId
    targetId
    keptFields
  }
}

query MergeHistory($customerId: ID) {
  mergeEvents(customerId: $customerId, first: 10) {
    edges { node { mergeEventId targetId sourceId reason actor createdAt undoneAt } }
  }
}`,
    variables: vars({ mergeEventId: 1, customerId: '1' }),
  },
  {
    query: `# A user (an employee, seed 003 user_customer) follows a customer, then lists what they follow.
mutation Follow($userId: String!, $customerId: ID!) {
  followCustomer(userId: $userId, customerId: $customerId, reference: "crm") {
    userId
    customerId
  }
}

query Followed($userId: String!) {
  userCustomers(first: 20, filter: { userId: $userId }) {
    totalCount
    edges { node { customerId reference created customer { name mobile } } }
  }
}`,
    variables: vars({ userId: '998', customerId: '1' }),
  },
  {
    query: `# Groups and friends: create a group, add members, befriend two customers, read them back.
mutation CreateGroup {
  createGroup(name: "VIP", kind: GROUP) { groupId name }
}

mutation AddMembers($groupId: ID!, $customerIds: [ID!]!) {
  addGroupMembers(groupId: $groupId, customerIds: $customerIds) { groupId changed }
}

mutation Befriend($customerId: ID!, $friendIds: [ID!]!) {
  addFriends(customerId: $customerId, friendIds: $friendIds) { customerId changed }
}

query Groups {
  groups(first: 20) {
    edges { node { groupId name kind memberCount parent { name } } }
  }
}`,
    variables: vars({ groupId: 1, customerIds: [1, 2], customerId: '1', friendIds: ['2'] }),
  },
  {
    query: `# Imports: submit rows as an import job (seeds 002, 004), then read it (the audience family's batchId) and its row errors.
# Watch the job move with the importJobProgress subscription in the Live tab.
mutation ImportCustomers($input: ImportCustomersInput!) {
  importCustomers(input: $input) { batchId status total }
}

query ImportJob($id: ID!) {
  importJob(id: $id) {
    batchId
    kind
    status
    total
    processed
    succeeded
    failed
    startedAt
    finishedAt
    errors(first: 20) { row field message }
  }
}`,
    variables: vars({
      id: 1,
      input: {
        kind: 'PROFILE',
        publicParams: { isMatching: true, matchingType: 2, identifyWay: 2, importMode: 2 },
        profiles: [{ phone: '13765348726', realName: '张三', sex: '男', tags: 'vip', customFields: [{ configId: 1, configName: '属性1', values: ['p1-1', 'p1-2'] }] }],
        idempotencyKey: 'example-1',
      },
    }),
  },
  {
    query: `# Live: watch a customer (Server-Sent Events). Run it, then open a second tab and update
# the customer there (e.g. updateCustomer, or the REST shim): each write appears here at once.
# The stream ends after DELETED, MERGED (subscribe to mergedInto to follow) or ERASED.
subscription WatchCustomer($id: ID!) {
  customerChanged(id: $id) {
    kind
    at
    mergedInto
    customer { customerId name nickName mobile }
  }
}

# An import job's progress: its state now, again after every step, until it finishes.
subscription WatchImport($batchId: ID!) {
  importJobProgress(id: $batchId) { batchId status total processed succeeded failed }
}`,
    variables: vars({ id: '1', batchId: 1 }),
  },
];
