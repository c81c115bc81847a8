// A typed client of the customer-graph gateway: gets a token for an app, finds or creates a
// customer by identity, reads it back and prints it. Run with a server up:
//
//   CUSTOMER_GRAPH_APP_KEY=ak_… CUSTOMER_GRAPH_SECRET=… npm run example:client -- 13765348726 张三
//
// The documents are typed by GraphQL Code Generator (generated/graphql.ts): variables and
// results are checked by TypeScript against the gateway's schema.
import { ClientError, GraphQLClient } from 'graphql-request';
import { CustomerByIdDocument, ResolveCustomerDocument } from './generated/graphql.ts';
import { fetchToken, required } from './token.ts';

async function main(): Promise<void> {
  const baseUrl = process.env.CUSTOMER_GRAPH_URL ?? 'http://127.0.0.1:4000';
  const [phone = '13765348726', name = '张三'] = process.argv.slice(2);
  const token = await fetchToken(baseUrl, required('CUSTOMER_GRAPH_APP_KEY'), required('CUSTOMER_GRAPH_SECRET'));
  const client = new GraphQLClient(`${baseUrl}/graphql`, { headers: { authorization: `Bearer ${token}` } });

  const { createCustomerByIdentity: resolved } = await client.request(ResolveCustomerDocument, {
    input: { identityList: [{ identityType: 'phone', identityValue: phone }], name },
  });
  console.log(`${resolved.created ? 'created' : 'found'} customer ${resolved.customerId}`);

  const { customer } = await client.request(CustomerByIdDocument, { id: String(resolved.customerId) });
  if (!customer) throw new Error(`customer ${resolved.customerId} is gone`);
  console.log(JSON.stringify(customer, null, 2));
}

main().catch((error: unknown) => {
  // A GraphQL error carries the gateway's code (BAD_INPUT, FORBIDDEN, …) in its extensions.
  const message =
    error instanceof ClientError
      ? (error.response.errors ?? [])
          .map((e) => `${typeof e.extensions?.code === 'string' ? e.extensions.code : 'ERROR'}: ${e.message}`)
          .join('; ') || `HTTP ${error.response.status}`
      : (error as Error).message;
  console.error(`example client failed: ${message}`);
  process.exitCode = 1;
});
