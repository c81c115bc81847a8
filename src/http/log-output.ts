// Where the server's log lines go: stdout, as JSON (production, log collectors) or as one
// readable line per event and per request (development, pino-pretty).
//
// Writes are synchronous and give up on a broken or stalled pipe: with pino's default
// (asynchronous, flushed on exit) a server whose reader died (`npm start | cat`, then Ctrl-C)
// spun forever in sonic-boom's exit flush retrying EPIPE, so it stopped listening but never
// exited. Here a broken pipe turns logging off and a reader that stops reading for
// STALLED_WRITE_MS loses lines instead of freezing the server.
import pino, { type DestinationStream } from 'pino';
import { prettyFactory } from 'pino-pretty';

export type LogFormat = 'pretty' | 'json';

/** How long one log write may wait on a full pipe (EAGAIN) before the line is dropped. */
const STALLED_WRITE_MS = 2000;
/** sonic-boom waits this long between two attempts of a blocked write. */
const RETRY_INTERVAL_MS = 100;

/** The default format: readable in development, JSON everywhere else. */
export function defaultLogFormat(nodeEnv: string): LogFormat {
  return nodeEnv === 'development' ? 'pretty' : 'json';
}

/** stdout as a synchronous sonic-boom (pino's safe destination turns EPIPE into silence). */
function stdoutDestination() {
  let retries = 0;
  const destination = pino.destination({
    fd: 1,
    sync: true,
    // Called for each EAGAIN retry of a write; false drops the line.
    retryEAGAIN: () => ++retries * RETRY_INTERVAL_MS < STALLED_WRITE_MS,
  });
  const write = destination.write.bind(destination);
  destination.write = (line: string) => {
    retries = 0;
    return write(line);
  };
  return destination;
}

interface LogLine {
  msg?: string;
  reqId?: string;
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
}

/** Requests seen arriving and not yet completed, at most this many (a bound, should some never complete). */
const OPEN_REQUESTS = 10_000;

/**
 * One line per request ("GET /graphql 200 12 ms") instead of fastify's two: the arrival (which
 * alone names method and path) is held back until the completion line. Null: print nothing.
 */
function requestLines(): (log: LogLine) => string | null {
  const open = new Map<string, string>();
  return (log) => {
    if (log.msg === 'incoming request' && log.reqId) {
      if (open.size >= OPEN_REQUESTS) open.delete(open.keys().next().value as string);
      open.set(log.reqId, `${log.req?.method ?? ''} ${log.req?.url ?? ''}`);
      return null;
    }
    if (log.msg === 'request completed' && log.res) {
      const request = (log.reqId && open.get(log.reqId)) || 'request';
      if (log.reqId) open.delete(log.reqId);
      const ms = typeof log.responseTime === 'number' ? ` ${log.responseTime.toFixed(0)} ms` : '';
      return `${request} ${log.res.statusCode ?? ''}${ms}`;
    }
    return log.msg ?? '';
  };
}

/** The stream the server's logger writes to. */
export function logOutput(format: LogFormat): DestinationStream {
  // Console lines (the start banner) share the pipe: a broken pipe must not crash the process.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  const destination = stdoutDestination();
  if (format === 'json') return destination;
  const requestLine = requestLines();
  let message = '';
  const prettify = prettyFactory({
    colorize: Boolean(process.stdout.isTTY),
    translateTime: 'HH:MM:ss.l',
    ignore: 'pid,hostname,req,res,responseTime,reqId',
    singleLine: true,
    messageFormat: () => message,
  });
  return {
    write(line: string) {
      let log: LogLine;
      try {
        log = JSON.parse(line) as LogLine;
      } catch {
        destination.write(line);
        return;
      }
      const text = requestLine(log);
      if (text === null) return;
      message = text;
      destination.write(prettify(log));
    },
  };
}
