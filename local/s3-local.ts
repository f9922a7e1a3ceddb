/** Runs the s3rver S3 emulator in-process on 127.0.0.1, with its objects under DATA_DIR. */
import { mkdirSync } from 'node:fs';
import S3rver from 's3rver';

export interface RunningS3 {
  endpoint: string;
  stop(): Promise<void>;
}

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
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () => server.close(),
  };
};
