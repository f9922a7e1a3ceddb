/**
 * One measured process of the rollup benchmark (started by bench/rollup.ts, so its peak RSS is
 * its own). Modes:
 *   rollup <formId> <period> <reportsDir>  one RollupService.execute, wired like the Lambda
 *                                          (functions/rollup-service.ts) except that reports go
 *                                          to files under reportsDir instead of S3;
 *   read <formId> <periods,…> [limit]      only Query-read the heads of those periods through
 *                                          the GSI, page after page, periods in parallel;
 *   baseline                               nothing: the RSS floor of node + tsx.
 * The DynamoDB endpoint, region, credentials and TABLE_NAME come from the environment.
 * Prints one JSON line: { seconds, maxRssMB, ... }.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [mode = '', ...args] = process.argv.slice(2);

const tableName = (): string => {
  const name = process.env.TABLE_NAME;
  if (!name) throw new Error('TABLE_NAME is not set');
  return name;
};

const report = (result: Record<string, unknown>) => {
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ ...result, maxRssMB })}\n`);
};

const runRollup = async (formId: string, period: string, reportsDir: string) => {
  const [
    { createBatchDocumentClient },
    { DynamoDbLibraryStore },
    { DynamoDbPeriodStore },
    { DynamoDbRollupRunStore },
    { DynamoDbSubmissionStore },
    { formRegistry },
    { PeriodService },
    { RollupService },
  ] = await Promise.all([
    import('../adapters/dynamodb/client.js'),
    import('../adapters/dynamodb/library-store.js'),
    import('../adapters/dynamodb/period-store.js'),
    import('../adapters/dynamodb/rollup-run-store.js'),
    import('../adapters/dynamodb/submission-store.js'),
    import('../adapters/form-catalog.js'),
    import('../domain/periods/service.js'),
    import('../domain/rollup/service.js'),
  ]);
  type ReportStorage = import('../domain/rollup/model.js').ReportStorage;
  type RollupRun = import('../domain/rollup/model.js').RollupRun;

  /** The reports bucket as files, so S3 (or an emulator) is not part of the measurement. */
  const reports: ReportStorage = {
    put: async (key, body) => {
      const file = join(reportsDir, key);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, body);
    },
    getText: async (key) => {
      try {
        return await readFile(join(reportsDir, key), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    presignDownload: async (key) => pathToFileURL(join(reportsDir, key)).href,
  };

  const table = tableName();
  const documents = createBatchDocumentClient();
  const now = () => new Date();
  const runs = new DynamoDbRollupRunStore(documents, table);
  const libraries = new DynamoDbLibraryStore(documents, table);
  const service = new RollupService({
    runs,
    reports,
    launcher: {
      launch: async () => {
        throw new Error('The benchmark executes runs itself');
      },
    },
    submissions: new DynamoDbSubmissionStore(documents, table),
    libraries,
    periods: new PeriodService({
      store: new DynamoDbPeriodStore(documents, table),
      forms: formRegistry,
      libraries,
      now,
    }),
    forms: formRegistry,
    now,
  });

  // A queued run record, as RollupService.start writes it (same run id layout).
  const createdAt = now().toISOString();
  const runId = `${createdAt.replace(/[-:.]/g, '')}-${randomUUID().slice(0, 8)}`;
  const queued: RollupRun = {
    formId,
    period,
    runId,
    status: 'queued',
    trigger: 'schedule',
    createdAt,
    prefix: `rollups/${formId}/${period}/runs/${runId}`,
  };
  await runs.put(queued);

  const started = performance.now();
  const finished = await service.execute({ formId, period, runId });
  const seconds = (performance.now() - started) / 1000;
  documents.destroy();
  if (finished.status !== 'succeeded') {
    throw new Error(`Rollup run ${runId} ended ${finished.status}: ${finished.error ?? ''}`);
  }
  report({ seconds, counts: finished.counts, files: finished.files?.length ?? 0 });
};

const runRead = async (formId: string, periods: string[], limit: number | undefined) => {
  const [{ createBatchDocumentClient }, { periodPartition }] = await Promise.all([
    import('../adapters/dynamodb/client.js'),
    import('../adapters/dynamodb/keys.js'),
  ]);
  const table = tableName();
  const documents = createBatchDocumentClient();
  const readPeriod = async (period: string) => {
    let items = 0;
    let pages = 0;
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await documents.send('Query', {
        TableName: table,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': periodPartition(formId, period) },
        ...(limit ? { Limit: limit } : {}),
        ExclusiveStartKey: cursor,
      });
      items += page.Items?.length ?? 0;
      pages += 1;
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return { items, pages };
  };
  const started = performance.now();
  const results = await Promise.all(periods.map(readPeriod));
  const seconds = (performance.now() - started) / 1000;
  documents.destroy();
  report({
    seconds,
    items: results.reduce((sum, result) => sum + result.items, 0),
    pages: results.reduce((sum, result) => sum + result.pages, 0),
  });
};

const main = async () => {
  if (mode === 'rollup') {
    const [formId, period, reportsDir] = args;
    if (!formId || !period || !reportsDir) throw new Error('rollup <formId> <period> <reportsDir>');
    await runRollup(formId, period, reportsDir);
  } else if (mode === 'read') {
    const [formId, periods, limit] = args;
    if (!formId || !periods) throw new Error('read <formId> <period,period…> [limit]');
    await runRead(formId, periods.split(','), limit ? Number(limit) : undefined);
  } else if (mode === 'baseline') {
    report({ seconds: 0 });
  } else {
    throw new Error(`Unknown mode ${JSON.stringify(mode)}: rollup, read or baseline`);
  }
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  process.exit(1);
});
