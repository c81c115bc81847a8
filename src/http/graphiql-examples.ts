// The operations GraphiQL opens with: one tab per common task.
export const exampleOperations: { query: string; variables?: string }[] = [
  {
    query: `# Find a customer by phone, with identities, groups and friends
query FindByPhone($phone: String!) {
  customerByIdentity(identityType: "phone", identityValue: $phone) {
    customerId
    name
    nickName
    mobile
    identities { identityType identityValue }
    groups { groupId name kind }
    friends(first: 5) { customerId name }
    extendedAttributes { attrKey attrName attrValue }
  }
}`,
    variables: JSON.stringify({ phone: '13765348726' }, null, 2),
  },
  {
    query: `# Newest customers, 20 a page, with the total
query LatestCustomers($search: String) {
  customers(first: 20, filter: { search: $search }) {
    totalCount
    edges { node { customerId name mobile createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  },
  {
    query: `# Create a customer with a phone identity
mutation CreateCustomer {
  createCustomer(
    profile: { name: "张三", gender: 1, province: "安徽省" }
    identities: [{ identityType: "phone", identityValue: "13765348726" }]
  ) {
    customerId
    customer { name identities { identityType identityValue } }
  }
}`,
  },
  {
    query: `# A user follows a customer (seed 003 user_customer)
mutation Follow($customerId: ID!) {
  followCustomer(userId: "998", customerId: $customerId, reference: "") {
    userId
    customerId
  }
}`,
    variables: JSON.stringify({ customerId: '1' }, null, 2),
  },
];
