// The errors the domain raises. Each has a stable code; GraphQL exposes it in
// `extensions.code`, and every REST family maps it onto its own envelope and HTTP status.

export type ErrorCode =
  | 'BAD_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export const httpStatusOf: Record<ErrorCode, number> = {
  BAD_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};

/** One problem with one input field; `row` is the index in a batch. */
export interface FieldIssue {
  field: string;
  message: string;
  row?: number;
}

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly issues: FieldIssue[];

  constructor(code: ErrorCode, message: string, issues: FieldIssue[] = []) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.issues = issues;
  }

  /** The first field named, for envelopes that carry one message. */
  get field(): string | undefined {
    return this.issues[0]?.field;
  }
}

/** A rejected input: the message names the field (and the row, in batches). */
export function badInput(field: string, message: string, row?: number): DomainError {
  const where = row === undefined ? field : `${field} (row ${row})`;
  return new DomainError('BAD_INPUT', `${where}: ${message}`, [{ field, message, row }]);
}

/** "field (row n): message; …", at most five, as every BAD_INPUT message reads. */
export function describeIssues(issues: FieldIssue[]): string {
  const described = issues
    .slice(0, 5)
    .map((i) => `${i.field}${i.row === undefined ? '' : ` (row ${i.row})`}: ${i.message}`)
    .join('; ');
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  return described + more;
}

export function invalidInput(issues: FieldIssue[]): DomainError {
  return new DomainError('BAD_INPUT', describeIssues(issues), issues);
}

/** NOT_FOUND; the message names the input field that held the id, when there is one. */
export function notFound(what: string, id: unknown, field?: string): DomainError {
  const message = `${what} ${String(id)} not found`;
  return new DomainError('NOT_FOUND', field ? `${field}: ${message}` : message, field ? [{ field, message }] : []);
}
