/**
 * The rollup worker, invoked asynchronously only: by the starter with one queued run
 * (`{formId, period, runId}`), or by the nightly schedule (`{"scheduled": true}`) for every
 * open or recently locked period. A run that fails is recorded as failed and the error is
 * rethrown, so Lambda's asynchronous retries and dead-letter queue apply and the Errors alarm
 * sees it: each retry runs the failed run again (or one its timed-out worker abandoned), and a
 * run another invocation may still be running fails the retry too rather than ending the event.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod/mini';
import type { RollupRun } from '../domain/rollup/model.js';
import { RollupRunInProgressError } from '../domain/rollup/service.js';
import { logger } from './http/logger.js';
import { PathSegment } from './http/params.js';
import { createRollupService } from './rollup-service.js';

const rollupService = createRollupService({ clients: 'worker' });

export const RollupEvent = z.union([
  z.strictObject({ scheduled: z.literal(true) }),
  z.strictObject({ formId: PathSegment, period: PathSegment, runId: PathSegment }),
]);
export type RollupEvent = z.infer<typeof RollupEvent>;

const summaryOf = (run: RollupRun) => ({
  formId: run.formId,
  period: run.period,
  runId: run.runId,
  status: run.status,
  counts: run.counts,
  ...(run.error ? { error: run.error } : {}),
});

export const runRollup = async (event: unknown): Promise<unknown> => {
  const parsed = RollupEvent.safeParse(event);
  if (!parsed.success) {
    // Nothing to retry: the event itself is wrong. It still fails, so it reaches the DLQ.
    logger.error('Not a rollup event', { event, issues: parsed.error.issues });
    throw new Error('Not a rollup event');
  }
  const request = parsed.data;
  if ('scheduled' in request) {
    logger.info('Scheduled rollup started');
    const runs = await rollupService.runScheduled().catch((error: unknown) => {
      logger.error('Scheduled rollup failed', { error });
      throw error;
    });
    for (const run of runs) {
      // A failed period is recorded on its run and does not stop the others; a retry of the
      // whole night would only publish the good periods again with empty `changes`.
      if (run.status === 'failed') logger.error('Rollup run failed', summaryOf(run));
      else if (run.status === 'succeeded') logger.info('Rollup run finished', summaryOf(run));
      else logger.info('Rollup run already under way; left to it', summaryOf(run));
    }
    return { runs: runs.map(summaryOf) };
  }
  logger.appendKeys({ formId: request.formId, period: request.period, runId: request.runId });
  logger.info('Rollup run started');
  try {
    const run = await rollupService.execute(request);
    logger.info('Rollup run finished', summaryOf(run));
    return summaryOf(run);
  } catch (error) {
    if (error instanceof RollupRunInProgressError) {
      logger.warn('Rollup run is still running elsewhere; failing so that Lambda retries', {
        startedAt: error.run.startedAt,
        attempt: error.run.attempt,
      });
    } else logger.error('Rollup run failed', { error });
    throw error;
  }
};

export const handler = middy(runRollup).use(injectLambdaContext(logger, { resetKeys: true }));
