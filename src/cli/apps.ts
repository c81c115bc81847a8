// `customer-graph app list`, `app revoke <appKey>` and `token revoke <token>`: the same domain
// functions as the GraphQL admin fields apps, revokeApp and revokeToken. A running gateway
// refuses a token revoked here within its token cache time (5 s). Beside a server holding the
// embedded database they run in that server (src/cli/dispatch.ts).
import type { Command } from 'commander';
import { runWhereTheDatabaseIs } from './dispatch.ts';

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
    .action((options: { json?: boolean }) => runWhereTheDatabaseIs({ command: 'app list', json: options.json === true }));

  app
    .command('revoke')
    .description('revoke an app and all its tokens (it can no longer get new ones)')
    .argument('<appKey>')
    .action((appKey: string) => runWhereTheDatabaseIs({ command: 'app revoke', appKey }));

  program
    .command('token')
    .description('manage bearer tokens')
    .command('revoke')
    .description('revoke one token; give - to read it from stdin (keeps it out of shell history)')
    .argument('<token>')
    .action(async (given: string) => runWhereTheDatabaseIs({ command: 'token revoke', token: given === '-' ? await readStdin() : given }));
}
