// A missing PostgreSQL database is explained with the command that creates it.
import { describe, expect, it } from 'vitest';
import { missingDatabaseExplained } from '../../src/cli/missing-database.ts';

const missing = Object.assign(new Error('database "crm" does not exist'), { code: '3D000' });

describe('missingDatabaseExplained', () => {
  it.each([
    ['postgresql://postgres@127.0.0.1:5432/crm', 'createdb -h 127.0.0.1 -p 5432 -U postgres crm'],
    ['postgres://db.example/crm', 'createdb -h db.example crm'],
    ['postgresql://app%40x:secret@db.example:6543/crm?sslmode=require', 'createdb -h db.example -p 6543 -U app@x crm'],
  ])('%s → %s', (url, command) => {
    const explained = missingDatabaseExplained(missing, url) as Error;
    expect(explained.message).toContain(`The PostgreSQL database "crm" does not exist`);
    expect(explained.message).toContain(command);
    expect(explained.message).not.toContain('secret');
  });

  it('leaves other errors, and the embedded database, as they are', () => {
    const other = Object.assign(new Error('password authentication failed'), { code: '28P01' });
    expect(missingDatabaseExplained(other, 'postgresql://x@h/crm')).toBe(other);
    expect(missingDatabaseExplained(missing, 'file:./data/x')).toBe(missing);
  });
});
