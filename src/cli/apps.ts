// `customer-graph app list`, `app revoke <appKey>` and `token revoke <token>`: the same domain
// functions as the GraphQL admin fields apps, revokeApp and revokeToken. A running gateway
// refuses a token revoked here within its token cache time (5 s).
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { listApps, revokeApp, revokeToken } from '../domain/auth.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { openMigrated } from '../server.ts';

async function withDatabase(command: string, work: (prisma: PrismaClient) => Promise<void>): Promise<void> {
  const database = await openMigrated(loadConfig(), command);
  try {
    await work(database.prisma);
  } finally {
    await database.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

export function registerAppCommands(program: Command, app: Command): void {
  app
    .command('list')
    .description('list the apps: appKey, name, scopes, usable tokens, revoked or not')
    .option('--json', 'print a JSON array')
    .action((options: { json?: boolean }) =>
      withDatabase('app list', async (prisma) => {
        const apps = await listApps(prisma);
        if (options.json) {
          console.log(JSON.stringify(apps));
          return;
        }
        for (const a of apps) {
          const state = a.revokedAt ? `revoked ${a.revokedAt.toISOString()}` : `${a.activeTokens} active token(s)`;
          console.log(`${a.appKey}  ${a.name}  [${a.scopes.join(',')}]${a.development ? '  development' : ''}  ${state}`);
        }
        if (!apps.length) console.log('No apps. Create one: customer-graph app create --name NAME --scopes customer:read');
      }),
    );

  app
    .command('revoke')
    .description('revoke an app and all its tokens (it can no longer get new ones)')
    .argument('<appKey>')
    .action((appKey: string) =>
      withDatabase('app revoke', async (prisma) => {
        const revoked = await revokeApp(prisma, appKey);
        console.log(`Revoked ${revoked.appKey} at ${revoked.revokedAt.toISOString()} (${revoked.tokensRevoked} token(s) revoked now).`);
      }),
    );

  program
    .command('token')
    .description('manage bearer tokens')
    .command('revoke')
    .description('revoke one token; give - to read it from stdin (keeps it out of shell history)')
    .argument('<token>')
    .action((given: string) =>
      withDatabase('token revoke', async (prisma) => {
        const token = given === '-' ? await readStdin() : given;
        const revoked = await revokeToken(prisma, token);
        console.log(revoked ? 'Token revoked.' : 'No such token, or it was revoked already.');
        if (!revoked) process.exitCode = 1;
      }),
    );
}
