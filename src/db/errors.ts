// Recognises database errors the domain reacts to, whatever the adapter. A unique
// violation arrives as Prisma P2002 from @prisma/adapter-pg (fields under
// meta.driverAdapterError.cause.constraint.fields) and as a raw DriverAdapterError with
// PostgreSQL code 23505 from the PGlite adapter (fields only in the detail text).

export interface UniqueViolation {
  fields: string[];
}

interface AdapterCause {
  code?: string;
  originalCode?: string;
  kind?: string;
  detail?: string;
  message?: string;
  constraint?: { fields?: string[] };
}

function causeOf(error: unknown): AdapterCause | undefined {
  const e = error as { code?: string; meta?: { driverAdapterError?: { cause?: AdapterCause } }; cause?: AdapterCause };
  return e?.meta?.driverAdapterError?.cause ?? e?.cause;
}

export function uniqueViolation(error: unknown): UniqueViolation | null {
  const e = error as { code?: string; meta?: { target?: string[] | string } };
  const cause = causeOf(error);
  const isUnique =
    e?.code === 'P2002' || cause?.kind === 'UniqueConstraintViolation' || cause?.code === '23505' || cause?.originalCode === '23505';
  if (!isUnique) return null;
  if (cause?.constraint?.fields) return { fields: cause.constraint.fields };
  if (Array.isArray(e.meta?.target)) return { fields: e.meta.target };
  const keys = /Key \(([^)]*)\)=/.exec(cause?.detail ?? '');
  return { fields: keys ? keys[1].split(',').map((f) => f.trim().replace(/"/g, '')) : [] };
}

/** A serialization failure or deadlock: the transaction may simply be retried. */
export function isRetryableConflict(error: unknown): boolean {
  const e = error as { code?: string };
  const cause = causeOf(error);
  const code = cause?.originalCode ?? cause?.code;
  return e?.code === 'P2034' || code === '40001' || code === '40P01';
}
