// The upload form: a CSV or JSON Lines file read in the browser and submitted as one import job.
import { useState, type SubmitEvent } from 'react';
import { useMutation } from 'urql';
import { ImportMutation, type ImportJob } from '../api.ts';
import { FileProblem, MAX_ROWS, readRows, type ImportKind } from '../import-file.ts';
import { ErrorNote } from '../ui.tsx';

export function ImportUpload({ onSubmitted }: { onSubmitted: (jobId: number) => void }) {
  const [file, setFile] = useState<File>();
  const [kind, setKind] = useState<ImportKind>('PROFILE');
  const [matching, setMatching] = useState(true);
  const [matchingType, setMatchingType] = useState(2);
  const [identifyWay, setIdentifyWay] = useState(1);
  const [importMode, setImportMode] = useState(2);
  const [optType, setOptType] = useState('add');
  const [problem, setProblem] = useState<string>();
  const [result, submit] = useMutation<{ importCustomers: ImportJob }>(ImportMutation);

  const send = async (event: SubmitEvent) => {
    event.preventDefault();
    if (!file) return;
    setProblem(undefined);
    let rows;
    try {
      rows = readRows(kind, file.name, await file.text());
    } catch (error) {
      if (error instanceof FileProblem) {
        setProblem(`${file.name}: ${error.message}`);
        return;
      }
      throw error;
    }
    const publicParams = {
      isMatching: matching,
      ...(matching ? { matchingType, identifyWay } : {}),
      importMode,
      ...(kind === 'GROUP_RELATION' ? { optType } : {}),
    };
    const input = { kind, publicParams, ...(kind === 'PROFILE' ? { profiles: rows } : { groupRelations: rows }) };
    const outcome = await submit({ input });
    if (outcome.data) onSubmitted(outcome.data.importCustomers.batchId);
  };

  return (
    <form className="card" onSubmit={send} aria-label="Import a file">
      <h2>Import a file</h2>
      <p className="hint">
        CSV with a header row, or JSON Lines, with the seed's field names (as <code>customer-graph import</code> reads them); at most{' '}
        {MAX_ROWS} rows here, bigger files through the CLI.
      </p>
      <div className="form-grid">
        <label className="span2">
          File
          <input type="file" name="file" accept=".csv,.jsonl,.ndjson,text/csv" onChange={(e) => setFile(e.target.files?.[0])} />
        </label>
        <label>
          Kind
          <select value={kind} onChange={(e) => setKind(e.target.value as ImportKind)}>
            <option value="PROFILE">profiles (seed 004)</option>
            <option value="GROUP_RELATION">group relations (seed 002)</option>
          </select>
        </label>
        <label>
          Mode
          <select value={importMode} onChange={(e) => setImportMode(Number(e.target.value))}>
            <option value={2}>2: keep the valid rows</option>
            <option value={1}>1: all or nothing</option>
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={matching} onChange={(e) => setMatching(e.target.checked)} />
          match existing customers
        </label>
        {matching && (
          <>
            <label>
              Matching
              <select value={matchingType} onChange={(e) => setMatchingType(Number(e.target.value))}>
                <option value={2}>2: fuzzy</option>
                <option value={1}>1: exact (identityType)</option>
              </select>
            </label>
            <label>
              Fuzzy order
              <select value={identifyWay} onChange={(e) => setIdentifyWay(Number(e.target.value))}>
                <option value={1}>1: unionid first</option>
                <option value={2}>2: {kind === 'PROFILE' ? 'phone first' : 'reversed'}</option>
              </select>
            </label>
          </>
        )}
        {kind === 'GROUP_RELATION' && (
          <label>
            Operation
            <select value={optType} onChange={(e) => setOptType(e.target.value)}>
              <option value="add">add to groups</option>
              <option value="delete">remove from groups</option>
            </select>
          </label>
        )}
      </div>
      <div className="actions">
        <button type="submit" disabled={!file || result.fetching}>
          Import
        </button>
      </div>
      {problem && <p className="error">{problem}</p>}
      <ErrorNote error={result.error} />
    </form>
  );
}
