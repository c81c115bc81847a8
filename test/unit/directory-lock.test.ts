// The embedded database's directory lock: an OS file lock on a file inside the directory.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DirectoryLockedError, LOCK_FILE, lockDirectory } from '../../src/db/lock.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('lockDirectory', () => {
  it('refuses a second holder naming the first, and frees the directory on release', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cg-lock-'));
    const first = await lockDirectory(dir, 'serve');
    first.describe({ url: 'http://127.0.0.1:4000', channel: '/x/run/cli.sock' });
    const refused = await lockDirectory(dir, 'migrate').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DirectoryLockedError);
    expect((refused as DirectoryLockedError).message).toContain(`is in use by process ${process.pid} (customer-graph serve, started `);
    expect((refused as DirectoryLockedError).message).toContain('serving http://127.0.0.1:4000');
    expect((refused as DirectoryLockedError).holder?.channel).toBe('/x/run/cli.sock');
    // A refused open leaves the holder's description in place.
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).command).toBe('serve');

    await first.release();
    const second = await lockDirectory(dir, 'migrate');
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).command).toBe('migrate');
    await second.release();
  });
});
