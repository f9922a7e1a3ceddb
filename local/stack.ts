/**
 * Starts the whole application on one machine: DynamoDB Local, s3rver, the resources from the
 * shared definitions, the registry, the local identity provider and the HTTP server that plays
 * API Gateway. Handlers see their ordinary AWS clients, whose endpoints come from the
 * environment (AWS_ENDPOINT_URL_DYNAMODB, _S3, _LAMBDA).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { createBatchDocumentClient, type DocumentClient } from '../adapters/dynamodb/client.js';
import { DynamoDbLibraryStore } from '../adapters/dynamodb/library-store.js';
import { DynamoDbSubmissionStore } from '../adapters/dynamodb/submission-store.js';
import { readRegistryFile } from '../adapters/registry-file.js';
import type { Library } from '../domain/registry/library.js';
import { type FunctionDefinition, functions, routes } from '../functions/routes.js';
import { buckets, mainTable, resourceEnv } from '../infra/resources.js';
import { seedDemoReports } from './demo-seed.js';
import { startDynamoDbLocal } from './dynamodb-local.js';
import { type ApiHandler, createLocalServer } from './http-server.js';
import { createIamGuard } from './iam-guard.js';
import { createTokenVerifier, jwks, loadOrCreateSigningKey, signDevToken } from './jwt.js';
import { createLocalInvoker, type LambdaHandler } from './lambda-invoke.js';
import { ensureBucket, ensureTable } from './provision.js';
import { startS3Local } from './s3-local.js';
import { formatBeijingTime, parseRollupAt, startNightlyScheduler } from './scheduler.js';
import { LOCAL_REGION, LOCAL_TABLE_NAME, type LocalSettings } from './settings.js';
import { freePort } from './tools.js';

export interface StackState {
  pid: number;
  apiUrl: string;
  dynamoDbEndpoint: string;
  /** s3rver's own endpoint; the handlers use S3_ENDPOINT_OVERRIDE instead when it is set. */
  s3Endpoint: string;
  tableName: string;
  buckets: Record<keyof typeof buckets, string>;
  libraries: number;
  /** Demo reports written by this start (0 when they were already there, or DEMO=0). */
  demoReports: number;
  /** The next nightly rollup (ROLLUP_AT, Beijing time), or `off`. */
  nightlyRollup: string;
}

export interface RunningStack extends StackState {
  stop(): Promise<void>;
}

/** The built web app (`npm run web:build`, run by `npm start` and `npm test` first). */
const WEB_ROOT = fileURLToPath(new URL('../web/dist/', import.meta.url));
/**
 * The web app's /config.json on this machine: sign-in through /dev-login, offering the
 * provincial office, an administrator and every library of the registry.
 */
const localWebConfig = (libraries: readonly Library[]) => ({
  auth: {
    kind: 'local',
    identities: [
      { role: 'province', name: '省馆（省图书馆业务辅导部）· Provincial office' },
      { role: 'admin', name: '管理员 · Administrator' },
      ...libraries.map((library) => ({
        role: 'library',
        libraryId: library.libraryId,
        name: library.name,
        city: library.cityName,
      })),
    ],
  },
});

export const stateFile = (dataDir: string) => join(dataDir, 'stack.json');

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Two stacks on one DATA_DIR would corrupt DynamoDB Local's database file. */
const assertNotAlreadyRunning = (dataDir: string) => {
  const file = stateFile(dataDir);
  if (!existsSync(file)) return;
  const state = JSON.parse(readFileSync(file, 'utf8')) as Partial<StackState>;
  if (typeof state.pid === 'number' && state.pid !== process.pid && isAlive(state.pid)) {
    throw new Error(
      `A local stack (pid ${state.pid}) is already running on ${dataDir} at ${state.apiUrl}; ` +
        'stop it first or set another DATA_DIR.',
    );
  }
};

const listen = (server: Server | import('node:http').Server, port: number) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });

const DEMO_MARKER = { PK: 'DEMO', SK: 'SEEDED' };
/** How long a stop waits for background invocations (a rollup run) to finish. */
const SETTLE_TIMEOUT_MS = 30_000;

const definitions: readonly FunctionDefinition[] = functions;
/** The function the starter invokes, and the one the nightly schedule invokes, with its payload. */
const invokedFunction = definitions.find((definition) => definition.invokes)?.invokes;
const nightlyFunction = definitions.find((definition) => definition.nightly);

/** Seeds the demo reports the first time a data directory starts with DEMO=1. */
const seedDemoOnce = async (
  documents: DocumentClient,
  libraries: readonly Library[],
  log: (line: string) => void,
) => {
  const marker = await documents.send('GetItem', {
    TableName: LOCAL_TABLE_NAME,
    Key: DEMO_MARKER,
    ConsistentRead: true,
  });
  if (marker.Item) return { reports: 0, fresh: false };
  log('seeding demo reports ...');
  const { formRegistry } = await import('../adapters/form-catalog.js');
  const result = await seedDemoReports({
    store: new DynamoDbSubmissionStore(documents, LOCAL_TABLE_NAME),
    forms: formRegistry,
    libraries,
  });
  await documents.send('PutItem', {
    TableName: LOCAL_TABLE_NAME,
    Item: { ...DEMO_MARKER, reports: result.reports, at: new Date().toISOString() },
  });
  return { ...result, fresh: true };
};

export const startLocalStack = async (
  settings: LocalSettings,
  log: (line: string) => void = () => undefined,
): Promise<RunningStack> => {
  const dataDir = settings.DATA_DIR;
  assertNotAlreadyRunning(dataDir);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const [dynamoPort, s3Port] = await Promise.all([
      settings.DYNAMODB_PORT ?? freePort(),
      settings.S3_PORT ?? freePort(),
    ]);
    const [dynamo, s3] = await Promise.all([
      startDynamoDbLocal({ port: dynamoPort, dataDirectory: join(dataDir, 'dynamodb') }),
      startS3Local({ port: s3Port, dataDirectory: join(dataDir, 's3') }),
    ]);
    stops.push(dynamo.stop, s3.stop);

    // What a deployed function gets from its configuration, the local handlers get from here.
    Object.assign(process.env, {
      AWS_REGION: LOCAL_REGION,
      // s3rver accepts only its own fixed key pair; DynamoDB Local (-sharedDb) accepts any.
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_S3: settings.S3_ENDPOINT_OVERRIDE ?? s3.endpoint,
      // s3rver serves buckets by path, not as subdomains.
      S3_FORCE_PATH_STYLE: 'true',
      [resourceEnv.tableName]: LOCAL_TABLE_NAME,
      [resourceEnv.evidenceBucket]: buckets.evidence,
      [resourceEnv.reportsBucket]: buckets.reports,
    });
    delete process.env.AWS_PROFILE;

    const dynamoClient = new DynamoDBClient({});
    const s3Client = new S3Client({ forcePathStyle: true });
    // The registry and the demo reports go through the stores, on the app's client.
    const documents = createBatchDocumentClient();
    stops.push(async () => {
      dynamoClient.destroy();
      s3Client.destroy();
      documents.destroy();
    });
    const table = await ensureTable(dynamoClient, LOCAL_TABLE_NAME, mainTable);
    for (const bucket of Object.values(buckets)) await ensureBucket(s3Client, bucket);

    const registry = await readRegistryFile();
    await new DynamoDbLibraryStore(documents, LOCAL_TABLE_NAME).putLibraries(registry.libraries);
    const demo =
      settings.DEMO === '1'
        ? await seedDemoOnce(documents, registry.libraries, log)
        : { reports: 0, fresh: false };
    const knownLibraries = new Set(registry.libraries.map((library) => library.libraryId));

    const signingKey = await loadOrCreateSigningKey(dataDir);
    // Each function runs with its deployed role's permissions (infra/permissions.ts).
    const iam = createIamGuard(definitions, { tableName: LOCAL_TABLE_NAME, buckets });
    // Handlers load on first use, after the environment below is complete.
    const handlers = new Map<string, Promise<unknown>>();
    const loadHandler = (entry: string): Promise<unknown> => {
      let handler = handlers.get(entry);
      if (!handler) {
        handler = import(`../functions/${entry}.ts`).then(
          (module: { handler: LambdaHandler }): LambdaHandler =>
            (event, context) =>
              iam.runAs(entry, () => module.handler(event, context)),
        );
        handlers.set(entry, handler);
      }
      return handler;
    };
    const lambda = createLocalInvoker({
      functions: definitions,
      loadHandler: (entry) => loadHandler(entry) as Promise<LambdaHandler>,
      // Lambda would log these to CloudWatch; here they must not vanish with LOG_REQUESTS unset.
      reportFailure: (line) => console.error(line),
    });
    const server = createLocalServer({
      routes,
      loadHandler: (entry) => loadHandler(entry) as Promise<ApiHandler>,
      lambda,
      verifyToken: createTokenVerifier(signingKey),
      signToken: (identity) => signDevToken(signingKey, identity),
      jwks: jwks(signingKey),
      isKnownLibrary: (libraryId) => knownLibraries.has(libraryId),
      // As in AWS: an API function has its own timeout (10 s unless set), not API Gateway's.
      timeoutMsOf: (entry) =>
        (definitions.find((definition) => definition.entry === entry)?.timeoutSeconds ?? 10) * 1000,
      webRoot: WEB_ROOT,
      webConfig: localWebConfig(registry.libraries),
      log,
    });
    const port = await listen(server, settings.PORT);
    const apiUrl = `http://127.0.0.1:${port}`;
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    // Functions invoke each other through the Lambda API this server answers; in AWS the
    // worker's name comes from CDK the same way.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_LAMBDA: apiUrl,
      ...(invokedFunction ? { [resourceEnv.rollupFunction]: invokedFunction } : {}),
    });
    // Before the server closes: a run in flight still needs the emulators.
    stops.push(async () => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        lambda.settle(),
        new Promise((resolve) => {
          timer = setTimeout(resolve, SETTLE_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
    });

    const rollupAt = parseRollupAt(settings.ROLLUP_AT);
    let nightlyRollup = 'off';
    if (rollupAt !== 'off' && nightlyFunction?.nightly) {
      const { entry, nightly } = nightlyFunction;
      const scheduler = startNightlyScheduler({
        at: rollupAt,
        run: () => lambda.invokeAsync(entry, nightly.payload),
        log,
      });
      stops.push(async () => scheduler.stop());
      const next = scheduler.next();
      nightlyRollup = next ? `${settings.ROLLUP_AT}, next ${formatBeijingTime(next)}` : 'off';
    }

    const state: StackState = {
      pid: process.pid,
      apiUrl,
      dynamoDbEndpoint: dynamo.endpoint,
      s3Endpoint: s3.endpoint,
      tableName: LOCAL_TABLE_NAME,
      buckets: { ...buckets },
      libraries: registry.libraries.length,
      demoReports: demo.reports,
      nightlyRollup,
    };
    writeFileSync(stateFile(dataDir), `${JSON.stringify(state, null, 2)}\n`);
    stops.unshift(async () => rmSync(stateFile(dataDir), { force: true }));
    log(`table ${LOCAL_TABLE_NAME}: ${table}; registry: ${registry.libraries.length} libraries`);
    return { ...state, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
