// Progress of a long CLI task: a bar with rows/s and ETA on a terminal (cli-progress), and a
// plain line every few seconds on stderr otherwise (logs, CI, pipes), so both people and
// scripts can follow it.
import cliProgress from 'cli-progress';

export interface Progress {
  /** `done` rows of `total` are already done when this run starts (a resumed job); `verb`: what done means. */
  start(total: number, done: number, label: string, verb?: string): void;
  update(done: number): void;
  stop(): void;
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60
    ? `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`
    : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** Rows/s of this run (rows done before it started do not count) and the time left. */
class Rate {
  private startedAt = Date.now();
  private startDone = 0;
  reset(done: number) {
    this.startedAt = Date.now();
    this.startDone = done;
  }
  perSecond(done: number): number {
    const seconds = (Date.now() - this.startedAt) / 1000;
    return seconds > 0 ? (done - this.startDone) / seconds : 0;
  }
  eta(done: number, total: number): string {
    const speed = this.perSecond(done);
    return speed > 0 ? formatSeconds((total - done) / speed) : '?';
  }
}

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const rate = new Rate();
  let total = 0;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{label} |{bar}| {percentage}% | {value}/{total} rows | {speed} rows/s | ETA {etaText}',
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const payload = (done: number) => ({ speed: Math.round(rate.perSecond(done)), etaText: rate.eta(done, total) });
  return {
    start(t, done, label) {
      total = t;
      rate.reset(done);
      bar.start(t, done, { label, ...payload(done) });
    },
    update(done) {
      bar.update(done, payload(done));
    },
    stop() {
      bar.stop();
    },
  };
}

/** A line every `intervalMs` (and at the end) on `write`. */
export function lineProgress(write: (line: string) => void, intervalMs: number): Progress {
  const rate = new Rate();
  let total = 0;
  let done = 0;
  let label = '';
  let verb = 'committed';
  let timer: NodeJS.Timeout | undefined;
  const print = () => {
    const percent = total ? Math.floor((done / total) * 100) : 100;
    write(
      `${label}: ${done}/${total} rows ${verb} (${percent}%), ${Math.round(rate.perSecond(done))} rows/s, ETA ${rate.eta(done, total)}`,
    );
  };
  return {
    start(t, d, l, v = 'committed') {
      total = t;
      done = d;
      label = l;
      verb = v;
      rate.reset(d);
      timer = setInterval(print, intervalMs);
    },
    update(d) {
      done = d;
    },
    stop() {
      clearInterval(timer);
      print();
    },
  };
}
