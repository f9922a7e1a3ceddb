/**
 * A TCP proxy for fault injection: the fault stack's handlers reach s3rver through it
 * (S3_ENDPOINT_OVERRIDE), and a test cuts or stalls that traffic at will.
 *
 * - `pass`: connections are forwarded to the upstream port.
 * - `reset`: every connection, open or new, is closed at once (the client sees ECONNRESET, as
 *   when the service is gone).
 * - `stall`: connections are accepted and read but never answered (a hung service: only the
 *   client's own timeouts end the wait).
 *
 * `cutWhen` switches to `reset` at the start of the first request it matches, before that
 * request reaches upstream, e.g. "the second object PUT of a rollup run". It looks at the
 * first line of each chunk the client sends, which is where HTTP/1.1 requests start on a
 * keep-alive connection; good enough for the small requests of these tests.
 */
import { connect, createServer, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'reset' | 'stall';

export interface FaultProxy {
  readonly url: string;
  readonly mode: ProxyMode;
  /** Requests forwarded upstream so far (request lines seen while passing). */
  readonly forwarded: string[];
  setMode(mode: ProxyMode): void;
  /** Cut (switch to `reset`) at the first request whose request line matches. */
  cutWhen(matches: ((requestLine: string) => boolean) | undefined): void;
  close(): Promise<void>;
}

const REQUEST_LINE = /^(?:GET|PUT|POST|HEAD|DELETE|OPTIONS|PATCH) \S+ HTTP\/1\.[01]$/;

export const startFaultProxy = async (upstreamPort: number): Promise<FaultProxy> => {
  let mode: ProxyMode = 'pass';
  let cutMatcher: ((requestLine: string) => boolean) | undefined;
  const forwarded: string[] = [];
  /** Open client connections and, while passing, their upstream twins. */
  const open = new Map<Socket, Socket | undefined>();

  const drop = (client: Socket) => {
    const upstream = open.get(client);
    open.delete(client);
    client.destroy();
    upstream?.destroy();
  };
  const dropAll = () => {
    for (const client of [...open.keys()]) drop(client);
  };

  const server = createServer((client) => {
    if (mode === 'reset') {
      client.destroy();
      return;
    }
    open.set(client, undefined);
    client.on('error', () => drop(client));
    client.on('close', () => drop(client));
    if (mode === 'stall') {
      client.resume(); // read and forget: never an answer
      return;
    }
    const upstream = connect(upstreamPort, '127.0.0.1');
    open.set(client, upstream);
    upstream.on('error', () => drop(client));
    upstream.on('close', () => drop(client));
    upstream.pipe(client);
    client.on('data', (chunk: Buffer) => {
      const firstLine = chunk.subarray(0, 2048).toString('latin1').split('\r\n', 1)[0] ?? '';
      if (REQUEST_LINE.test(firstLine)) {
        if (cutMatcher?.(firstLine)) {
          cutMatcher = undefined;
          mode = 'reset';
          dropAll();
          return;
        }
        forwarded.push(firstLine);
      }
      if (mode !== 'pass') return drop(client);
      upstream.write(chunk);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('fault proxy has no port');

  return {
    url: `http://127.0.0.1:${address.port}`,
    get mode() {
      return mode;
    },
    forwarded,
    setMode(next) {
      mode = next;
      // Open connections must not outlive the old mode: a keep-alive socket would bypass it.
      dropAll();
    },
    cutWhen(matches) {
      cutMatcher = matches;
    },
    close: () =>
      new Promise<void>((resolve) => {
        dropAll();
        server.close(() => resolve());
      }),
  };
};
