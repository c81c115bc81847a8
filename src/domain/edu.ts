// The edu family's class roster (seed 000 批量添加客户): a project and a class inside it become
// groups, and each customer is resolved by its identities (tel → phone, qq, email, username),
// created or updated, given its study fields and put in the class. All or nothing; sending the
// same batch again changes nothing more (the identities find the same customers).
import type { PrismaClient } from '../generated/prisma/client.ts';
import { parseGender } from './customer-fields.ts';
import { DomainError, invalidInput, type FieldIssue } from './errors.ts';
import { addMembers, ensureGroup } from './groups.ts';
import { identityTypeRules, type IdentityRef } from './identity-types.ts';
import { resolveInTransaction, type ExtendAttr } from './resolution.ts';
import { retryingTransaction } from './transactions.ts';
import { reportChanges } from './changes.ts';

export const MAX_EDU_BATCH = 500;

/** Identity fields of a roster row and the identity type each one is. */
const identityColumns = { tel: 'phone', qq: 'qq', email: 'email', username: 'username' } as const;

/** Study fields, kept as the built-in extended attributes of the same keys (migration init). */
export const STUDY_FIELDS = [
  'hasStudyVideo',
  'videoTotal',
  'workStatus',
  'xindeStatus',
  'learnStage',
  'loginCount',
  'lastLogin',
  'title',
  'job',
  'subject',
  'userType',
  'workunit',
] as const;

export interface EduCustomerRow {
  name?: string | null;
  tel?: string | null;
  qq?: string | null;
  email?: string | null;
  username?: string | null;
  gender?: string | null;
  province?: string | null;
  city?: string | null;
  /** 县区乡镇: the customer's district. */
  country?: string | null;
  hasStudyVideo?: number | null;
  videoTotal?: number | null;
  loginCount?: number | null;
  [studyField: string]: string | number | null | undefined;
}

export interface EduBatch {
  pname?: string | null;
  spid?: string | null;
  className: string;
  sclassid?: string | null;
  customers: EduCustomerRow[];
}

export interface EduBatchResult {
  projectGroupId: number | null;
  classGroupId: number;
  customerIds: number[];
}

// eslint-disable-next-line @typescript-eslint/no-base-to-string -- a cell's value is read as its text, whatever the sheet typed it as
const present = (v: unknown): v is string | number => v !== null && v !== undefined && String(v).trim() !== '';

/** Problems with the call itself: nothing can be done. */
function checkBatch(batch: EduBatch): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!present(batch.className)) issues.push({ field: 'className', message: 'is required' });
  if (!Array.isArray(batch.customers) || batch.customers.length === 0) {
    issues.push({ field: 'customers', message: 'at least one customer is required' });
  } else if (batch.customers.length > MAX_EDU_BATCH) {
    issues.push({ field: 'customers', message: `at most ${MAX_EDU_BATCH} customers a call, ${batch.customers.length} given` });
  }
  return issues;
}

/** Problems of one row that need no database. */
function checkRow(row: EduCustomerRow, i: number): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!Object.keys(identityColumns).some((column) => present(row[column]))) {
    issues.push({ field: `customers[${i}]`, row: i, message: 'needs at least one of tel, qq, email, username' });
  }
  if (present(row.gender) && parseGender(row.gender) === undefined) {
    issues.push({ field: `customers[${i}].gender`, row: i, message: 'must be F, M, 男, 女, 0, 1 or 2' });
  }
  return issues;
}

/**
 * One roster row as a createCustomerByIdentity request (system priority, identityFirst, no
 * merge), with the column each identity and study attribute came from, to name it in errors.
 */
function resolutionRequest(row: EduCustomerRow) {
  const identityColumnsUsed = Object.keys(identityColumns).filter((column) => present(row[column])) as (keyof typeof identityColumns)[];
  const studyColumnsUsed = STUDY_FIELDS.filter((key) => present(row[key]));
  const request = {
    identityList: identityColumnsUsed.map((column): IdentityRef => ({
      identityType: identityColumns[column],
      identityValue: String(row[column]),
    })),
    extendAttrList: studyColumnsUsed.map((key): ExtendAttr => ({ attrKey: key, attrValue: String(row[key]) })),
    profile: {
      name: row.name ?? undefined,
      mobile: present(row.tel) ? String(row.tel) : undefined,
      email: present(row.email) ? String(row.email) : undefined,
      gender: present(row.gender) ? parseGender(row.gender) : undefined,
      province: row.province ?? undefined,
      city: row.city ?? undefined,
      district: row.country ?? undefined,
    },
  };
  /** The roster column behind a field of the request: identityList[1].identityValue → qq. */
  const columnOf = (field: string): string => {
    const identity = /^identityList\[(\d+)\]/.exec(field);
    if (identity) return identityColumnsUsed[Number(identity[1])] ?? field;
    const attr = /^extendAttrList\[(\d+)\]/.exec(field);
    if (attr) return studyColumnsUsed[Number(attr[1])] ?? field;
    const profile: Record<string, string> = { 'profile.mobile': 'tel', 'profile.district': 'country' };
    return profile[field] ?? field.replace(/^profile\./, '');
  };
  return { request, columnOf };
}

export async function addEduCustomerBatch(prisma: PrismaClient, batch: EduBatch, actor: string): Promise<EduBatchResult> {
  const issues = checkBatch(batch);
  if (issues.length) throw invalidInput(issues);
  const rules = await identityTypeRules(prisma);
  return retryingTransaction(prisma, 'addCustomerBatch', async (tx) => {
    const project =
      present(batch.pname) || present(batch.spid)
        ? await ensureGroup(tx, {
            kind: 'PROJECT',
            name: String(present(batch.pname) ? batch.pname : batch.spid),
            externalId: present(batch.spid) ? String(batch.spid) : null,
          })
        : null;
    const klass = await ensureGroup(tx, {
      kind: 'CLASS',
      name: String(batch.className),
      externalId: present(batch.sclassid) ? String(batch.sclassid) : null,
      parentId: project?.id ?? null,
    });
    const customerIds: number[] = [];
    const rowIssues: FieldIssue[] = [];
    for (const [i, row] of batch.customers.entries()) {
      const problems = checkRow(row, i);
      if (problems.length) {
        rowIssues.push(...problems);
        continue;
      }
      const { request, columnOf } = resolutionRequest(row);
      try {
        customerIds.push((await resolveInTransaction(tx, rules, request, actor)).customerId);
      } catch (error) {
        // A bad value is named by its roster column and row; anything else fails the call.
        if (!(error instanceof DomainError) || error.code !== 'BAD_INPUT') throw error;
        rowIssues.push(...error.issues.map((issue) => ({ ...issue, field: `customers[${i}].${columnOf(issue.field)}`, row: i })));
      }
    }
    // All or nothing: one bad row rolls the whole roster back, naming every bad row.
    if (rowIssues.length) throw invalidInput(rowIssues);
    await addMembers(tx, klass.id, [...new Set(customerIds)]);
    await reportChanges(tx, { updated: [...new Set(customerIds)] });
    return { projectGroupId: project?.id ?? null, classGroupId: klass.id, customerIds };
  });
}
