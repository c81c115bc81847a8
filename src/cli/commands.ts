// The CLI commands that work on the database (`app create|list|revoke`, `token revoke`, `import`,
// `migrate --status`), as requests that can run in this process or, when a running server holds
// the embedded database, in that server (src/cli/local-channel.ts): the same code either way,
// so the embedded database keeps one writer and the CLI still works beside `serve`.
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { AuditEntry } from '../domain/audit.ts';
import { createApp, listApps, mintToken, parseScopes, revokeApp, revokeToken } from '../domain/auth.ts';
import { auditedWrite } from '../domain/changes.ts';
import type { Progress } from './progress.ts';

export interface ImportRequestOptions {
  format?: string;
  matching: boolean;
  matchingType: 1 | 2;
  identifyWay: 1 | 2;
  mode: 1 | 2;
  chunkSize: number;
  /** Absolute path of the error report. */
  errors: string;
}

export type CommandRequest =
  | { command: 'app create'; name: string; scopes: string[]; json: boolean }
  | { command: 'import'; file: string; options: ImportRequestOptions }
  | { command: 'migrate --status' }
  | { command: 'app list'; json: boolean }
  | { command: 'app revoke'; appKey: string }
  | { command: 'token revoke'; token: string };

/** Where a command writes: the terminal, or the channel back to the CLI that asked. */
export interface CommandIO {
  out: (line: string) => void;
  err: (line: string) => void;
  progress: Progress;
  /** Aborted when the user interrupts (Ctrl-C): an import stops after its current chunk. */
  signal: AbortSignal;
}

/** The import's request with paths made absolute (the server may run it from another directory). */
export function importRequest(file: string, options: Omit<ImportRequestOptions, 'errors'> & { errors?: string }): CommandRequest {
  const absolute = resolve(file);
  const errors = resolve(options.errors ?? `${absolute.replace(/\.(csv|jsonl|ndjson)$/i, '')}.errors.csv`);
  return { command: 'import', file: absolute, options: { ...options, errors } };
}

/** Checks a request that arrived over the channel (it comes from another process). */
export function parseCommandRequest(value: unknown): CommandRequest {
  const request = value as CommandRequest | null;
  if (!request || typeof request !== 'object') throw new Error('a command request must be an object');
  switch (request.command) {
    case 'app create':
      if (typeof request.name !== 'string' || !Array.isArray(request.scopes)) throw new Error('app create needs name and scopes');
      return { command: 'app create', name: request.name, scopes: parseScopes(request.scopes.join(',')), json: request.json };
    case 'import':
      if (typeof request.file !== 'string' || typeof request.options !== 'object' || typeof request.options.errors !== 'string') {
        throw new Error('import needs file and options');
      }
      return request;
    case 'migrate --status':
      return request;
    case 'app list':
      return { command: 'app list', json: request.json };
    case 'app revoke':
      if (typeof request.appKey !== 'string') throw new Error('app revoke needs appKey');
      return request;
    case 'token revoke':
      if (typeof request.token !== 'string') throw new Error('token revoke needs token');
      return request;
    default:
      throw new Error('unknown command');
  }
}

/**
 * Who the audit log names for the CLI's writes: the local operator, by the name of the user
 * running the process that writes (beside a server holding the embedded database, the server's).
 */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

function cliEntry(action: string, entityType: string, entityId: string | null, details: Record<string, unknown>): AuditEntry {
  return { actor: cliActor(), action, entityType, entityId, details: { via: 'CLI', arguments: details } };
}

/** Runs a request on an open database; resolves to the command's exit status. */
export async function runCommand(database: Database, config: Config, request: CommandRequest, io: CommandIO): Promise<number> {
  switch (request.command) {
    case 'app create': {
      const entry = cliEntry('createApp', 'App', null, { name: request.name, scopes: request.scopes });
      const created = await auditedWrite(
        database.prisma,
        entry,
        () => createApp(database.prisma, { name: request.name, scopes: request.scopes }),
        (app) => ({ entityType: 'App', entityId: app.appKey }),
      );
      if (request.json) {
        const token = await mintToken(database.prisma, created.appKey, config.TOKEN_TTL_SECONDS);
        io.out(JSON.stringify({ appKey: created.appKey, secret: created.secret, token }));
      } else {
        io.out(`appKey: ${created.appKey}\nsecret: ${created.secret}\nscopes: ${created.scopes.join(',')}`);
        io.out('The secret is shown once. Exchange both for a token: POST /openapi/auth/token {"appKey","secret"}');
      }
      return 0;
    }
    case 'migrate --status': {
      const pending = await database.pendingMigrations();
      io.out(pending.length ? `Pending migrations:\n  ${pending.join('\n  ')}` : 'Database schema is up to date.');
      return 0;
    }
    case 'import': {
      const { runImport } = await import('./import-command.ts');
      // The job's submission is audited in this scope; each chunk writes its own row (imports/jobs.ts).
      const entry = cliEntry('importFile', 'ImportJob', null, { file: request.file, options: request.options });
      return auditedWrite(database.prisma, entry, () => runImport(database, request, io));
    }
    case 'app list': {
      const apps = await listApps(database.prisma);
      if (request.json) {
        io.out(JSON.stringify(apps));
        return 0;
      }
      for (const a of apps) {
        const state = a.revokedAt ? `revoked ${a.revokedAt.toISOString()}` : `${a.activeTokens} active token(s)`;
        io.out(`${a.appKey}  ${a.name}  [${a.scopes.join(',')}]${a.development ? '  development' : ''}  ${state}`);
      }
      if (!apps.length) io.out('No apps. Create one: customer-graph app create --name NAME --scopes customer:read');
      return 0;
    }
    case 'app revoke': {
      const entry = cliEntry('revokeApp', 'App', request.appKey, { appKey: request.appKey });
      const revoked = await auditedWrite(database.prisma, entry, () => revokeApp(database.prisma, request.appKey));
      io.out(`Revoked ${revoked.appKey} at ${revoked.revokedAt.toISOString()} (${revoked.tokensRevoked} token(s) revoked now).`);
      return 0;
    }
    case 'token revoke': {
      // The token itself is never written to the audit log.
      const entry = cliEntry('revokeToken', 'Token', null, {});
      const revoked = await auditedWrite(database.prisma, entry, () => revokeToken(database.prisma, request.token));
      io.out(revoked ? 'Token revoked.' : 'No such token, or it was revoked already.');
      return revoked ? 0 : 1;
    }
  }
}
