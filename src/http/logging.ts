// Structured request logs (pino, through fastify) that carry no credentials and no personal
// data: token headers are never serialized, query-string values are masked, and phones,
// e-mails and tokens are masked in messages, error messages and stacks.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyServerOptions } from 'fastify';
import pino, { type DestinationStream, type LoggerOptions } from 'pino';
import type { Config } from '../config.ts';
import { MASK, maskDeep, maskText } from '../domain/pii.ts';

/** Header paths censored should anything log headers (the request serializer below does not). */
export const redactedPaths = ['req.headers.authorization', 'req.headers.token', 'req.headers["x-token"]', 'req.headers.cookie'];

/** The path with phones, e-mails and tokens masked, and every query-string value masked. */
export function maskUrl(url: string): string {
  const q = url.indexOf('?');
  const path = maskText(q < 0 ? url : url.slice(0, q));
  if (q < 0) return path;
  const keys = [...new URLSearchParams(url.slice(q + 1)).keys()];
  return keys.length ? `${path}?${keys.map((k) => `${encodeURIComponent(maskText(k))}=${MASK}`).join('&')}` : path;
}

// A client may choose its request id (to follow a call across services), within reason:
// anything else, and no id, gets a fresh UUID.
const clientRequestId = /^[A-Za-z0-9._:-]{1,64}$/;

export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && clientRequestId.test(given) ? given : randomUUID();
}

// Keys the serializers below take care of; everything else in a log object is masked here.
const serialized = new Set(['req', 'res', 'err', 'error']);

function serializeError(error: unknown): unknown {
  return maskDeep(pino.stdSerializers.err(error as Error));
}

export function loggerOptions(config: Pick<Config, 'LOG_LEVEL'>, stream?: DestinationStream): FastifyServerOptions['logger'] {
  const options: LoggerOptions & { stream?: DestinationStream } = {
    level: config.LOG_LEVEL,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; ip?: string; socket?: { remoteAddress?: string } }) => ({
        method: req.method,
        url: maskUrl(req.url),
        remoteAddress: req.ip ?? req.socket?.remoteAddress,
      }),
      err: serializeError,
      error: serializeError,
    },
    formatters: {
      log: (object) =>
        Object.fromEntries(Object.entries(object).map(([key, value]) => [key, serialized.has(key) ? value : maskDeep(value, key)])),
    },
    hooks: {
      // Messages are masked too: an error's message may quote the value that was refused.
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? maskText(a) : a)) as Parameters<typeof method>);
      },
    },
  };
  if (stream) options.stream = stream;
  return options;
}
