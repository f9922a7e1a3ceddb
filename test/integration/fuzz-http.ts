/**
 * A raw HTTP client for the fuzzing suite: exact bytes and headers (fetch would add a content
 * type of its own, or refuse odd values), keep-alive connections, bounded concurrency, and an
 * answer even when the server replies before it has read the whole body.
 */
import { Agent, type IncomingHttpHeaders, request } from 'node:http';

export interface RawRequest {
  method: string;
  /** Path and query, sent exactly as given (percent-encoding included). */
  path: string;
  /** A string array sends the header more than once. */
  headers: Record<string, string | string[]>;
  body?: Buffer;
  /** Send the body with `transfer-encoding: chunked` instead of a content length. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

const TIMEOUT_MS = 30_000;

export const createClient = (baseUrl: string, maxSockets = 8) => {
  const base = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets });

  const send = (raw: RawRequest): Promise<RawResponse> =>
    new Promise((resolve, reject) => {
      let answered = false;
      const headers: Record<string, string | string[]> = { ...raw.headers };
      // Explicit framing either way: Node sends a DELETE body unframed unless told.
      if (raw.body !== undefined) {
        if (raw.chunked) headers['transfer-encoding'] = 'chunked';
        else headers['content-length'] = String(raw.body.byteLength);
      }
      const outgoing = request(
        {
          host: base.hostname,
          port: base.port,
          method: raw.method,
          path: raw.path,
          headers,
          agent,
          timeout: TIMEOUT_MS,
        },
        (response) => {
          answered = true;
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const body = Buffer.concat(chunks);
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body,
              text: body.toString('utf8'),
            });
          });
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer in ${TIMEOUT_MS} ms`)));
      // A server may answer (413) and close before it has read everything we send: the answer
      // counts, the broken pipe after it does not.
      const started = Date.now();
      outgoing.on('error', (error) => {
        if (!answered) {
          reject(
            new Error(
              `${error.message} after ${Date.now() - started} ms${outgoing.reusedSocket ? ' on a reused connection' : ''}`,
              { cause: error },
            ),
          );
        }
      });
      if (raw.body !== undefined && raw.body.byteLength > 0) {
        if (raw.chunked) {
          const half = Math.floor(raw.body.byteLength / 2);
          outgoing.write(raw.body.subarray(0, half));
          outgoing.write(raw.body.subarray(half));
        } else {
          outgoing.write(raw.body);
        }
      }
      outgoing.end();
    });

  return { send, close: () => agent.destroy() };
};

/** Runs `work` over `items` with at most `limit` in flight; results in input order. */
export const runBounded = async <Item, Result>(
  items: readonly Item[],
  limit: number,
  work: (item: Item, index: number) => Promise<Result>,
): Promise<Result[]> => {
  const results: Result[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as Item, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};
