// Types of scripts/migration-diff.mjs (a plain Node script, also imported by tests).
export const root: string;
/** The SQL that takes a database from `migrations` to `schema`, or null when they agree. */
export function diffMigrationsToSchema(paths?: { migrations?: string; schema?: string }): Promise<string | null>;
/** The names of the indexes `schema` declares raw-only (`// raw-only index "NAME"`), sorted. */
export function rawOnlyIndexes(schema?: string): string[];
