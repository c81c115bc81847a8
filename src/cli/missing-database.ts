// A first run against a PostgreSQL server whose database was not created yet.

/** PostgreSQL's "database … does not exist" (3D000), with the command that creates it. */
export function missingDatabaseExplained(error: unknown, url: string): unknown {
  if ((error as { code?: string } | null)?.code !== '3D000' || !/^postgres(ql)?:\/\//.test(url)) return error;
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.slice(1));
  const options = [
    `-h ${parsed.hostname}`,
    parsed.port ? `-p ${parsed.port}` : '',
    parsed.username ? `-U ${decodeURIComponent(parsed.username)}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return new Error(
    `The PostgreSQL database "${name}" does not exist on ${parsed.host}. Create it, then run the command again:\n` +
      `  createdb ${options} ${name}\n` +
      `  (or in psql: CREATE DATABASE "${name}";)`,
  );
}
