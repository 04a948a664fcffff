/**
 * Reads a request body into memory under one byte limit, inflating gzip or deflate as a stream. The
 * limit applies to the bytes on the wire and again to the inflated bytes, and reading stops at the
 * first byte past it: a small gzip that inflates to gigabytes costs at most the limit plus one zlib
 * chunk. Every stream gets an 'error' listener; a broken gzip is a 400, never a crash.
 */
import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import type { BodyCompression } from './content-headers';

export type BodyOutcome =
  | { kind: 'read'; bytes: Buffer }
  | { kind: 'too-large'; reason: string }
  | { kind: 'undecodable'; reason: string }
  /** The client closed or broke the connection: nobody is left to answer. */
  | { kind: 'gone' };

export function readBody(request: IncomingMessage, options: { maxBytes: number; compression: BodyCompression }): Promise<BodyOutcome> {
  const { maxBytes } = options;
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.resolve({ kind: 'too-large', reason: 'declared length over the limit' });
  }

  return new Promise<BodyOutcome>((resolve) => {
    const chunks: Buffer[] = [];
    let keptBytes = 0;
    let wireBytes = 0;
    let settled = false;
    const inflater: Gunzip | Inflate | undefined =
      options.compression === 'gzip' ? createGunzip() : options.compression === 'deflate' ? createInflate() : undefined;

    const settle = (outcome: BodyOutcome): void => {
      if (settled) return;
      settled = true;
      // Listeners stay attached: a late 'error' from a destroyed stream must still find one.
      inflater?.destroy();
      resolve(outcome);
    };
    const keep = (chunk: Buffer): void => {
      keptBytes += chunk.length;
      if (keptBytes > maxBytes) {
        settle({ kind: 'too-large', reason: inflater ? 'inflated body over the limit' : 'body over the limit' });
        return;
      }
      chunks.push(chunk);
    };
    const finish = (): void => settle({ kind: 'read', bytes: Buffer.concat(chunks, keptBytes) });

    request.on('data', (chunk: Buffer) => {
      if (settled) return;
      wireBytes += chunk.length;
      if (wireBytes > maxBytes) {
        settle({ kind: 'too-large', reason: 'body over the limit' });
        return;
      }
      if (inflater === undefined) {
        keep(chunk);
      } else if (!inflater.write(chunk)) {
        request.pause();
        inflater.once('drain', () => request.resume());
      }
    });
    request.on('end', () => {
      if (inflater === undefined) finish();
      else if (!settled) inflater.end();
    });
    request.on('error', () => settle({ kind: 'gone' }));
    request.on('close', () => {
      if (!request.complete) settle({ kind: 'gone' });
    });

    if (inflater !== undefined) {
      inflater.on('data', (chunk: Buffer) => {
        if (!settled) keep(chunk);
      });
      inflater.on('end', finish);
      inflater.on('error', (error: Error) => settle({ kind: 'undecodable', reason: `not valid ${options.compression}: ${error.message}` }));
    }
  });
}
