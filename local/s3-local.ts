/** Runs the s3rver S3 emulator in-process on 127.0.0.1, with its objects under DATA_DIR. */
import { mkdirSync } from 'node:fs';
import S3rver from 's3rver';
import { copySourceConditions } from './s3-copy-conditions.js';

export interface RunningS3 {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * s3rver is a Koa app whose last middleware is its router; Koa composes the list when the
 * server starts listening. Its type declarations describe neither, hence the narrow view.
 */
interface KoaMiddlewareList {
  middleware: unknown[];
}

/** Puts `handler` right before s3rver's router, so it sees requests with their final path. */
const useBeforeRouter = (server: S3rver, handler: unknown) => {
  const { middleware } = server as unknown as KoaMiddlewareList;
  const router = middleware.at(-1);
  if (typeof router !== 'function' || !('router' in router)) {
    throw new Error('s3rver no longer ends its middleware with its router: see local/s3-local.ts');
  }
  middleware.splice(middleware.length - 1, 0, handler);
};

export const startS3Local = async (options: {
  port: number;
  dataDirectory: string;
}): Promise<RunningS3> => {
  mkdirSync(options.dataDirectory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port,
    directory: options.dataDirectory,
    silent: true,
  });
  // s3rver ignores the x-amz-copy-source-if-* headers that evidence verification relies on.
  useBeforeRouter(server, copySourceConditions);
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () => server.close(),
  };
};
