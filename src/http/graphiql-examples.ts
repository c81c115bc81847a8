// The operations GraphiQL opens with: a walk through the API that works in order on a fresh
// database. Tabs 1 and 2 create two customers that share no identity (the same person, twice);
// the later tabs find, explain, merge, unmerge, group and befriend those two by the ids tabs 1
// and 2 returned (1 and 2 on a fresh database). Eight tabs: they fit a 1440 px wide window.
// test/api/graphiql-examples.test.ts validates every tab against the schema and
// test/system/graphiql-browser.test.ts runs every operation of every tab, in order, in Chromium.
export interface ExampleOperation {
  query: string;
  variables?: string;
}

const vars = (value: Record<string, unknown>) => JSON.stringify(value, null, 2);

export const exampleOperations: ExampleOperation[] = [
  {
    query: `# 1. Find or create the customer these identities point at (seed 001 createCustomerByIdentity).
# On a fresh database this creates customer A (customerId 1). Free identities are attached;
# with autoMerge, other customers found are merged into the target.
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
    query: `# 2. Create customer B (customerId 2 on a fresh database): the same person seen through
# WeChat, sharing no identity with A, so nothing links them yet (tab 5 merges them). B has no
# phone: a customer holds one phone, so two customers with different phones cannot merge.
mutation CreateCustomer($profile: CustomerProfileInput!, $identities: [IdentityInput!]!) {
  createCustomer(profile: $profile, identities: $identities) {
    customerId
    customer { name mobile identities { identityType identityValue } }
  }
}`,
    variables: vars({
      profile: { name: '张三', nickName: 'zhangsan' },
      identities: [
        { identityType: 'openid', identityValue: 'oW7-1234567890' },
        { identityType: 'unionid', identityValue: 'oU-0987654321' },
      ],
    }),
  },
  {
    query: `# 3. Find a customer by phone, with identities, groups, friends and followers. Any identity
# type works: "email", "openid", "unionid", "username", …
query FindByPhone($phone: String!) {
  customerByIdentity(identityType: "phone", identityValue: $phone) {
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
}

# List customers, newest first, 20 a page, with the total. search matches part of the phone,
# nickname or name; pass pageInfo.endCursor as $after for the next page.
query ListCustomers($search: String, $after: String) {
  customers(first: 20, after: $after, filter: { search: $search }) {
    totalCount
    edges { node { customerId name mobile createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}`,
    variables: vars({ phone: '13765348726', search: '张三' }),
  },
  {
    query: `# 4. Dry run: what createCustomerByIdentity would do with A's phone and B's openid, step by
# step (B would be merged into A). Writes nothing.
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
    query: `# 5. Merge B (2) into A (1) in one transaction: B becomes a tombstone whose id still
# resolves to A. Then read A's merge history, and undo the merge: the two are apart again.
# The ids are those tabs 1 and 2 returned; mergeEventId is one of Merge's mergeEventIds.
mutation Merge($targetId: ID!, $sourceIds: [ID!]!) {
  mergeCustomers(targetId: $targetId, sourceIds: $sourceIds, reason: "same person") {
    customerId
    mergedCustomerIds
    mergeEventIds
    customer { name identities { identityType identityValue } }
  }
}

query MergeHistory($targetId: ID) {
  mergeEvents(customerId: $targetId, first: 10) {
    edges { node { mergeEventId targetId sourceId reason actor createdAt undoneAt } }
  }
}

mutation Unmerge($mergeEventId: ID!) {
  unmergeCustomer(mergeEventId: $mergeEventId) {
    customerId
    targetId
    keptFields
  }
}`,
    variables: vars({ targetId: '1', sourceIds: ['2'], mergeEventId: '1' }),
  },
  {
    query: `# 6. Groups, friends and followers: create a group (groupId 1 on a fresh database), put A
# and B in it, make them friends, have a user (an employee, seed 003) follow A, read it back.
mutation CreateGroup {
  createGroup(name: "VIP", kind: GROUP) { groupId name }
}

mutation AddMembers($groupId: ID!, $customerIds: [ID!]!) {
  addGroupMembers(groupId: $groupId, customerIds: $customerIds) { groupId changed }
}

mutation Befriend($customerId: ID!, $friendIds: [ID!]!) {
  addFriends(customerId: $customerId, friendIds: $friendIds) { customerId changed }
}

mutation Follow($userId: String!, $customerId: ID!) {
  followCustomer(userId: $userId, customerId: $customerId, reference: "crm") {
    userId
    customerId
  }
}

query Groups($userId: String!) {
  groups(first: 20) {
    edges { node { groupId name kind memberCount parent { name } } }
  }
  userCustomers(first: 20, filter: { userId: $userId }) {
    totalCount
    edges { node { customerId reference created customer { name mobile } } }
  }
}`,
    variables: vars({ groupId: '1', customerIds: ['1', '2'], customerId: '1', friendIds: ['2'], userId: '998' }),
  },
  {
    query: `# 7. Imports: submit rows as an import job (seeds 002, 004), then read it (the audience
# family's batchId; 1 on a fresh database) and its row errors. The row matches A by phone.
mutation ImportCustomers($input: ImportCustomersInput!) {
  importCustomers(input: $input) { batchId status total }
}

query ImportJob($batchId: ID!) {
  importJob(id: $batchId) {
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
      batchId: '1',
      input: {
        kind: 'PROFILE',
        publicParams: { isMatching: true, matchingType: 2, identifyWay: 2, importMode: 2 },
        profiles: [
          {
            phone: '13765348726',
            realName: '张三',
            sex: '男',
            tags: 'vip',
            customFields: [{ configId: 1, configName: '属性1', values: ['p1-1', 'p1-2'] }],
          },
        ],
        idempotencyKey: 'example-1',
      },
    }),
  },
  {
    query: `# 8. Live (Server-Sent Events). An import job's progress: its state now, again after every
# step, until it finishes.
subscription WatchImport($batchId: ID!) {
  importJobProgress(id: $batchId) { batchId status total processed succeeded failed }
}

# Watch a customer: run it, then update the customer in another tab (e.g. updateCustomer, or
# the REST shim): each write appears here at once. The stream ends after DELETED, MERGED
# (subscribe to mergedInto to follow) or ERASED.
subscription WatchCustomer($id: ID!) {
  customerChanged(id: $id) {
    kind
    at
    mergedInto
    customer { customerId name nickName mobile }
  }
}`,
    variables: vars({ batchId: '1', id: '1' }),
  },
];
