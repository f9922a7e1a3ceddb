/**
 * A local stack of its own for fault injection, so that the shared stack of the integration
 * run is never disturbed: s3rver behind a fault proxy (S3_ENDPOINT_OVERRIDE), and the stack's
 * DynamoDB Local process within reach of signals.
 *
 * - DynamoDB hangs: SIGSTOP on its Java process (connections are accepted by the kernel and
 *   never answered), SIGCONT to let it go on.
 * - DynamoDB dies: SIGKILL, then a new DynamoDB Local on the same port and data directory
 *   (local/dynamodb-local.ts), as an operator would restart it.
 * - S3 goes away or hangs: the proxy resets or stalls its connections (fault-proxy.ts).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import {
  createApiDocumentClient,
  type DynamoDbDocumentClient,
} from '../../adapters/dynamodb/client.js';
import type { Role } from '../../domain/auth/principal.js';
import { type RunningDynamoDb, startDynamoDbLocal } from '../../local/dynamodb-local.js';
import { loadOrCreateSigningKey, signDevToken } from '../../local/jwt.js';
import { freePort } from '../../local/tools.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';
import { type StackProcess, startStackProcess, stopStackProcess } from './global-setup.js';

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** The child of `parentPid` running `command` (Linux /proc), or undefined. */
const childProcess = (parentPid: number, command: string): number | undefined => {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …; comm may hold spaces, so split after its closing parenthesis.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parentPid && comm === command) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
};

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export interface FaultStack {
  url: string;
  dataDir: string;
  tableName: string;
  buckets: { evidence: string; reports: string };
  s3: FaultProxy;
  /** Straight to the emulators, past any fault: what the table and buckets really hold. */
  documents: DynamoDbDocumentClient;
  directS3: S3Client;
  dynamoDbEndpoint: string;
  api(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  tokenFor(role: Role, libraryId?: string): Promise<string>;
  /** SIGSTOP / SIGCONT DynamoDB Local's Java process. */
  freezeDynamoDb(): void;
  thawDynamoDb(): void;
  /** SIGKILL DynamoDB Local and wait until it is gone. */
  killDynamoDb(): Promise<void>;
  /** A new DynamoDB Local on the same port and data directory. */
  restartDynamoDb(): Promise<void>;
  stop(): Promise<void>;
}

export const startFaultStack = async (): Promise<FaultStack> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'clr-faults-'));
  const s3Port = await freePort();
  const s3 = await startFaultProxy(s3Port);
  let stack: StackProcess;
  try {
    stack = await startStackProcess(dataDir, {
      ROLLUP_AT: 'off',
      S3_PORT: String(s3Port),
      S3_ENDPOINT_OVERRIDE: s3.url,
    });
  } catch (error) {
    await s3.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const { state } = stack;
  const stackPid = stack.child.pid ?? state.pid;
  let javaPid = childProcess(stackPid, 'java');
  if (javaPid === undefined) throw new Error(`no DynamoDB Local under pid ${stackPid}`);
  let frozen = false;
  let restarted: RunningDynamoDb | undefined;

  const documents = createApiDocumentClient({
    endpoint: state.dynamoDbEndpoint,
    region: 'us-east-1',
    credentials,
  });
  const directS3 = new S3Client({
    endpoint: state.s3Endpoint,
    region: 'us-east-1',
    credentials,
    forcePathStyle: true,
  });
  const signingKey = await loadOrCreateSigningKey(dataDir);

  const signal = (name: NodeJS.Signals) => {
    if (javaPid === undefined) throw new Error('DynamoDB Local is not running');
    process.kill(javaPid, name);
  };

  return {
    url: state.apiUrl,
    dataDir,
    tableName: state.tableName,
    buckets: state.buckets,
    s3,
    documents,
    directS3,
    dynamoDbEndpoint: state.dynamoDbEndpoint,
    api: (path, init = {}) => {
      const { token, headers, ...rest } = init;
      return fetch(`${state.apiUrl}${path}`, {
        ...rest,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      });
    },
    tokenFor: (role, libraryId) =>
      signDevToken(signingKey, { role, ...(libraryId ? { libraryId } : {}) }),
    freezeDynamoDb: () => {
      signal('SIGSTOP');
      frozen = true;
    },
    thawDynamoDb: () => {
      signal('SIGCONT');
      frozen = false;
    },
    killDynamoDb: async () => {
      const pid = javaPid;
      signal('SIGKILL');
      javaPid = undefined;
      for (let waited = 0; pid !== undefined && isRunning(pid) && waited < 10_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    restartDynamoDb: async () => {
      const port = Number(new URL(state.dynamoDbEndpoint).port);
      restarted = await startDynamoDbLocal({
        port,
        dataDirectory: join(dataDir, 'dynamodb'),
      });
      javaPid = childProcess(process.pid, 'java');
    },
    stop: async () => {
      // A frozen Java process would ignore SIGTERM and hold the stop up.
      if (frozen && javaPid !== undefined) process.kill(javaPid, 'SIGCONT');
      await stopStackProcess(stack.child).catch(() => undefined);
      await restarted?.stop();
      await s3.close();
      documents.destroy();
      directS3.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};
