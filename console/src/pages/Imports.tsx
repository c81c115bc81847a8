// Imports: the caller's import jobs (importJobs), one job followed live (importJobProgress over
// SSE) with its row errors, and a CSV / JSON Lines file submitted through importCustomers.
import { useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { ImportJobQuery, ImportJobsQuery, ImportProgressSubscription, type ImportJob, type Page } from '../api.ts';
import { href } from '../router.ts';
import { ErrorNote, useAbilities, when } from '../ui.tsx';
import { ImportUpload } from './ImportUpload.tsx';

const PAGE_SIZE = 15;
const FINISHED = new Set(['SUCCEEDED', 'PARTIAL', 'FAILED']);

export function ImportsPage({ jobId }: { jobId?: number }) {
  const { read, write } = useAbilities();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const [jobs, refetchJobs] = useQuery<{ importJobs: Page<ImportJob> }>({ query: ImportJobsQuery, variables: { first: PAGE_SIZE, after } });
  const page = jobs.data?.importJobs;
  const [live, setLive] = useState<ImportJob>();
  const submitted = (id: number) => {
    location.hash = href('imports', id);
    refetchJobs({ requestPolicy: 'network-only' });
  };
  if (!read && !write) return <p className="hint">This token may not read or submit imports.</p>;
  return (
    <section className="imports">
      <h1>Imports</h1>
      <div className="columns">
        <div className="column">
          {write && <ImportUpload onSubmitted={submitted} />}
          <section className="card">
            <h2>Import jobs {page && <span className="muted">({page.totalCount})</span>}</h2>
            <ErrorNote error={jobs.error} />
            <table className="grid" aria-label="Import jobs">
              <thead>
                <tr>
                  <th>Job</th>
                  <th>Kind</th>
                  <th>Status</th>
                  <th>Progress</th>
                  <th>Failed</th>
                  <th>Submitted</th>
                </tr>
              </thead>
              <tbody>
                {page?.edges.map(({ node }) => {
                  const job = live?.batchId === node.batchId ? live : node;
                  return (
                    <tr key={job.batchId} className={job.batchId === jobId ? 'selected' : ''}>
                      <td>
                        <a href={href('imports', job.batchId)}>#{job.batchId}</a>
                      </td>
                      <td>
                        {job.kind} <span className="muted">{job.origin}</span>
                      </td>
                      <td>
                        <span className={`status ${job.status}`}>{job.status}</span>
                      </td>
                      <td>
                        {job.processed}/{job.total}
                      </td>
                      <td>{job.failed || ''}</td>
                      <td className="muted">{when(job.createdAt)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {page?.totalCount === 0 && <p className="muted">No import jobs yet.</p>}
            <div className="pager">
              <button type="button" className="secondary" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
                ← Newer
              </button>
              <button
                type="button"
                className="secondary"
                disabled={!page?.pageInfo.hasNextPage}
                onClick={() => setCursors([...cursors, page!.pageInfo.endCursor])}
              >
                Older →
              </button>
            </div>
          </section>
        </div>
        <div className="column">
          {jobId ? (
            <JobPanel key={jobId} id={jobId} onUpdate={setLive} />
          ) : (
            <p className="hint">Pick a job to follow its progress and see its row errors.</p>
          )}
        </div>
      </div>
    </section>
  );
}

interface JobWithErrors extends ImportJob {
  errors: { row: number; field: string | null; message: string }[];
}

/** One job: followed live until it finishes, then read once more for its row errors. */
function JobPanel({ id, onUpdate }: { id: number; onUpdate: (job: ImportJob) => void }) {
  const [detail, refetch] = useQuery<{ importJob: JobWithErrors | null }>({
    query: ImportJobQuery,
    variables: { id },
    requestPolicy: 'network-only',
  });
  const unfinished = detail.data?.importJob ? !FINISHED.has(detail.data.importJob.status) : false;
  const [progress] = useSubscription<{ importJobProgress: ImportJob }, ImportJob>(
    { query: ImportProgressSubscription, variables: { id }, pause: !unfinished },
    (_previous, data) => {
      onUpdate(data.importJobProgress);
      if (FINISHED.has(data.importJobProgress.status)) refetch({ requestPolicy: 'network-only' });
      return data.importJobProgress;
    },
  );
  const stored = detail.data?.importJob;
  if (detail.error) return <ErrorNote error={detail.error} />;
  if (!stored) return detail.fetching ? <p>Loading…</p> : <p className="muted">No import job #{id} that this token may see.</p>;
  const job = progress.data && progress.data.processed >= stored.processed ? progress.data : stored;
  const share = job.total ? Math.round((100 * job.processed) / job.total) : FINISHED.has(job.status) ? 100 : 0;
  return (
    <section className="card" aria-label={`Import job ${id}`}>
      <h2>
        Job #{job.batchId} <span className={`status ${job.status}`}>{job.status}</span>
        {unfinished && !progress.error && <span className="muted"> · live</span>}
      </h2>
      <div className="progress" role="progressbar" aria-valuenow={share} aria-valuemin={0} aria-valuemax={100} aria-label="Rows processed">
        <div style={{ width: `${share}%` }} />
      </div>
      <p>
        {job.processed} of {job.total} rows processed ({share}%): {job.succeeded} imported, {job.failed} failed.
      </p>
      <dl className="fields">
        <dt>Kind</dt>
        <dd>
          {job.kind}, mode {job.mode} ({job.mode === 1 ? 'all or nothing' : 'keep the valid rows'}), from {job.origin}
        </dd>
        <dt>Submitted</dt>
        <dd>{when(job.createdAt)}</dd>
        <dt>Started</dt>
        <dd>{when(job.startedAt)}</dd>
        <dt>Finished</dt>
        <dd>{when(job.finishedAt)}</dd>
      </dl>
      {job.error && <p className="error">{job.error}</p>}
      <ErrorNote error={progress.error} />
      <h3>
        Row errors{' '}
        {stored.errors.length > 0 && `(${stored.failed > stored.errors.length ? `first ${stored.errors.length}` : stored.errors.length})`}
      </h3>
      {stored.errors.length === 0 ? (
        <p className="muted">{FINISHED.has(job.status) ? 'none' : 'none so far'}</p>
      ) : (
        <table className="grid" aria-label="Row errors">
          <thead>
            <tr>
              <th title="1 is the first data row of the file (the row after a CSV header)">Row</th>
              <th>Field</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            {stored.errors.map((e, i) => (
              <tr key={i}>
                <td>{e.row + 1}</td>
                <td className="mono">{e.field}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
