// Runs the fuzzer against a gateway driven through fastify's inject: shared by the fuzz test
// and the soak script.
import type { Gateway } from '../../src/gateway.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { restRoutes } from '../../src/rest/table.ts';
import { schema } from '../../src/schema/index.ts';
import {
  databaseChecksum,
  mutationTargets,
  restTarget,
  runFuzz,
  type FuzzReply,
  type FuzzReport,
  type FuzzRequest,
  type FuzzWorld,
} from './fuzz.ts';

export async function seedWorld(prisma: PrismaClient, customers = 8): Promise<FuzzWorld> {
  const customerIds: number[] = [];
  for (let i = 0; i < customers; i++) {
    const created = await prisma.customer.create({
      data: { name: `fuzz ${i}`, identities: { create: [{ type: 'phone', value: `1390000${String(i).padStart(4, '0')}` }] } },
    });
    customerIds.push(created.id);
  }
  const group = await prisma.group.create({ data: { key: `group:fuzz-${Date.now()}`, kind: 'GROUP', name: 'fuzz' } });
  return { customerIds, groupIds: [group.id] };
}

export function injectSender(gateway: Gateway, token: string): (request: FuzzRequest) => Promise<FuzzReply> {
  return async (request) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    let payload: string | undefined;
    if (request.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = new URLSearchParams(request.form).toString();
    } else if (request.raw !== undefined) {
      headers['content-type'] = request.contentType ?? 'application/json';
      payload = request.raw;
    } else if (request.body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(request.body);
    }
    const response = await gateway.app.inject({ method: request.method, url: request.url, headers, payload });
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      body = null;
    }
    return { status: response.statusCode, body };
  };
}

export async function fuzzGateway(options: {
  gateway: Gateway;
  prisma: PrismaClient;
  token: string;
  world: FuzzWorld;
  runsPerTarget: number;
  seed: number;
  progress?: (done: number, total: number) => void;
}): Promise<FuzzReport> {
  const targets = [...restRoutes.map((r) => restTarget(r, options.world)), ...mutationTargets(schema, options.world)];
  return runFuzz({
    targets,
    runsPerTarget: options.runsPerTarget,
    seed: options.seed,
    send: injectSender(options.gateway, options.token),
    checksum: () => databaseChecksum((sql) => options.prisma.$queryRawUnsafe(sql)),
    progress: options.progress,
  });
}

/** A short account of what went wrong, for assertion messages. */
export function describeFailures(report: FuzzReport): string {
  const show = ({ request, reply }: { request: FuzzRequest; reply: FuzzReply }) =>
    `${request.target} ${JSON.stringify(request.body ?? request.form ?? request.raw ?? request.url).slice(0, 300)} -> ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`;
  return [
    ...report.serverErrors.slice(0, 5).map((f) => `5xx: ${show(f)}`),
    ...report.partialWrites.slice(0, 5).map((f) => `partial write: ${show(f)}`),
  ].join('\n');
}
