// node and nodes (Relay): an object by global id. Written here rather than left to the relay
// plugin so that every id a client can send answers as Relay expects: an unknown, deleted,
// foreign or malformed id ("garbage!!", base64("Nope:1"), "Customer:abc") is null, never an
// error. What is visible is decided by the visibility layer (src/schema/visibility-plugin.ts);
// a merged-away customer id answers its survivor, as customer(id) does (src/domain/visibility.ts).
import { decodeGlobalID, resolveNodes } from '@pothos/plugin-relay';
import { isObjectType, type GraphQLResolveInfo } from 'graphql';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { resolveCustomerIds } from '../domain/merge/tree.ts';
import { nodeIntId } from '../domain/visibility.ts';

interface ParsedId {
  typename: string;
  id: string;
}

/** A global id of a type that implements Node, or null for anything else. */
function parseNodeId(globalId: string, info: GraphQLResolveInfo): ParsedId | null {
  let parsed: ParsedId;
  try {
    parsed = decodeGlobalID(globalId);
  } catch {
    return null;
  }
  const type = info.schema.getType(parsed.typename);
  if (!isObjectType(type) || !type.getInterfaces().some((i) => i.name === 'Node')) return null;
  return parsed;
}

/** Merged-away customer ids stand for their survivors (one query per merge hop, for all ids). */
async function followMerges(context: Context, ids: (ParsedId | null)[]): Promise<(ParsedId | null)[]> {
  const customerIds = ids.filter((p) => p?.typename === 'Customer').map((p) => nodeIntId(p!.id));
  if (!customerIds.length) return ids;
  const survivors = await resolveCustomerIds(context.prisma, customerIds);
  return ids.map((p) => {
    if (p?.typename !== 'Customer') return p;
    const survivor = survivors.get(nodeIntId(p.id));
    return survivor ? { typename: 'Customer', id: String(survivor) } : null;
  });
}

async function loadNodes(globalIds: readonly string[], context: Context, info: GraphQLResolveInfo): Promise<unknown[]> {
  const parsed = await followMerges(
    context,
    globalIds.map((id) => parseNodeId(id, info)),
  );
  return resolveNodes(builder, context, info, parsed as Parameters<typeof resolveNodes>[3]);
}

builder.queryFields((t) => ({
  node: t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true,
    description:
      'An object by global id; null when it does not exist or the caller may not see it. A merged-away customer id answers the survivor.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, context, info) => (await loadNodes([args.id], context, info))[0] ?? null,
  }),
  nodes: t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    description: 'Objects by global id, in the order given; null for each id node(id) would answer null.',
    args: { ids: t.arg.idList({ required: true }) },
    resolve: (_root, args, context, info) => loadNodes(args.ids.map(String), context, info),
  }),
}));
