/**
 * What the API adds to a draft save: N full-report saves through the local HTTP API (16
 * concurrent clients, the real handler: JWT check, validation, its reads, the transaction)
 * against the time for N raw TransactWriteItems of the very items those saves wrote (head and
 * revision, with the same conditions), straight to the same DynamoDB Local, in the same run.
 * A second pass sends an Idempotency-Key with every save, as the web app's autosave does, so
 * the table also shows what Powertools idempotency's two extra writes cost.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { headIndexKeys, revisionKeys, submissionKeys } from '../adapters/dynamodb/keys.js';
import { readRegistryFile } from '../adapters/registry-file.js';
import { wuxiangReport2025 } from '../domain/forms/fixtures.js';
import { loadOrCreateSigningKey, signDevToken } from '../local/jwt.js';
import { readLocalSettings } from '../local/settings.js';
import { startLocalStack } from '../local/stack.js';
import { inParallel } from '../local/tools.js';

const FORM_ID = 'county-annual-report';
export const CONCURRENT_SAVERS = 16;
/** Periods of their own, far from any real one, with a window the benchmark opens. */
const FIRST_PERIOD = 2090;

export interface ApiSaveResult {
  saves: number;
  apiSeconds: number;
  rawSeconds: number;
  apiSaveOverheadRatio: number;
  /** The same saves with an Idempotency-Key each. */
  idempotentApiSeconds: number;
}

export const benchApiSave = async (options: {
  periods: number;
  log?: (line: string) => void;
}): Promise<ApiSaveResult> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-api-'));
  const stack = await startLocalStack(
    readLocalSettings({ PORT: '0', DATA_DIR: dataDir, DEMO: '0', ROLLUP_AT: 'off' }),
  );
  const client = new DynamoDBClient({
    endpoint: stack.dynamoDbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const documents = DynamoDBDocumentClient.from(client);
  try {
    const { libraries } = await readRegistryFile();
    const key = await loadOrCreateSigningKey(dataDir);
    const admin = await signDevToken(key, { role: 'admin' });
    // The first `periods` for plain saves, the next ones for saves with an Idempotency-Key.
    const periods = Array.from({ length: 2 * options.periods }, (_, index) =>
      String(FIRST_PERIOD + index),
    );
    const now = Date.now();
    for (const period of periods) {
      const response = await fetch(`${stack.apiUrl}/api/periods/${FORM_ID}/${period}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          opensAt: new Date(now - 86_400_000).toISOString(),
          dueAt: new Date(now + 86_400_000).toISOString(),
          locksAt: new Date(now + 2 * 86_400_000).toISOString(),
        }),
      });
      if (!response.ok) throw new Error(`opening period ${period}: HTTP ${response.status}`);
    }
    const tokens = new Map(
      await Promise.all(
        libraries.map(
          async (library) =>
            [
              library.libraryId,
              await signDevToken(key, { role: 'library', libraryId: library.libraryId }),
            ] as const,
        ),
      ),
    );
    const savesIn = (somePeriods: readonly string[]) =>
      somePeriods.flatMap((period) =>
        libraries.map((library) => ({ libraryId: library.libraryId, period })),
      );
    const saves = savesIn(periods.slice(0, options.periods));
    const body = JSON.stringify({ values: wuxiangReport2025(), expectedRevision: 0 });
    /** Seconds for these saves through the API, 16 at a time. */
    const saveThroughApi = async (
      someSaves: readonly { libraryId: string; period: string }[],
      idempotencyKeys: boolean,
    ) => {
      const started = performance.now();
      await inParallel(someSaves, CONCURRENT_SAVERS, async (save) => {
        const response = await fetch(
          `${stack.apiUrl}/api/libraries/${save.libraryId}/submissions/${FORM_ID}/${save.period}`,
          {
            method: 'PUT',
            headers: {
              authorization: `Bearer ${tokens.get(save.libraryId)}`,
              'content-type': 'application/json',
              ...(idempotencyKeys ? { 'idempotency-key': randomUUID() } : {}),
            },
            body,
          },
        );
        if (response.status !== 201)
          throw new Error(`save: HTTP ${response.status} ${await response.text()}`);
        await response.arrayBuffer();
      });
      return (performance.now() - started) / 1000;
    };
    options.log?.(`  ${saves.length} saves through the API …`);
    const apiSeconds = await saveThroughApi(saves, false);

    // The items the API wrote, copied under a period of their own so the raw writes create them
    // exactly as the API's transaction did.
    const rawPeriodOffset = 2 * options.periods;
    const transactions: TransactWriteItemsCommand[] = [];
    await inParallel(saves, CONCURRENT_SAVERS, async (save) => {
      const submissionKey = { libraryId: save.libraryId, formId: FORM_ID, period: save.period };
      const [head, revision] = await Promise.all([
        documents.send(
          new GetCommand({ TableName: stack.tableName, Key: submissionKeys(submissionKey) }),
        ),
        documents.send(
          new GetCommand({ TableName: stack.tableName, Key: revisionKeys(submissionKey, 1) }),
        ),
      ]);
      const copyKey = { ...submissionKey, period: String(Number(save.period) + rawPeriodOffset) };
      const item = (source: Record<string, unknown> | undefined, keys: Record<string, string>) =>
        marshall({ ...source, ...keys, period: copyKey.period }, { removeUndefinedValues: true });
      transactions.push(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: {
                TableName: stack.tableName,
                Item: item(head.Item, { ...submissionKeys(copyKey), ...headIndexKeys(copyKey) }),
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            {
              Put: {
                TableName: stack.tableName,
                Item: item(revision.Item, revisionKeys(copyKey, 1)),
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
          ],
        }),
      );
    });
    options.log?.(`  ${saves.length} raw TransactWriteItems …`);
    const rawStarted = performance.now();
    await inParallel(transactions, CONCURRENT_SAVERS, async (command) => {
      await client.send(command);
    });
    const rawSeconds = (performance.now() - rawStarted) / 1000;

    options.log?.(`  ${saves.length} saves through the API with an Idempotency-Key each …`);
    const idempotentApiSeconds = await saveThroughApi(
      savesIn(periods.slice(options.periods)),
      true,
    );

    return {
      saves: saves.length,
      apiSeconds,
      rawSeconds,
      apiSaveOverheadRatio: apiSeconds / rawSeconds,
      idempotentApiSeconds,
    };
  } finally {
    client.destroy();
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
};
