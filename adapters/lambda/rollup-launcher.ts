import { DependencyUnavailableError } from '../../domain/errors.js';
import type { RollupLauncher, RollupRequest } from '../../domain/rollup/model.js';
import { isUnavailable } from '../storage-errors.js';
import type { LambdaInvokeClient } from './client.js';

const UNAVAILABLE = {
  zh: '汇总任务暂时无法启动，请稍后重试。',
  en: 'The rollup could not be started right now; retry later.',
};

/**
 * Starts a rollup run as an asynchronous invocation of the worker: Lambda queues the event,
 * answers 202 at once, retries a failed run twice and then hands it to the dead-letter queue.
 */
export class LambdaRollupLauncher implements RollupLauncher {
  constructor(
    private readonly client: LambdaInvokeClient,
    private readonly functionName: string,
  ) {}

  async launch(request: RollupRequest): Promise<void> {
    let statusCode: number | undefined;
    try {
      ({ StatusCode: statusCode } = await this.client.send('Invoke', {
        FunctionName: this.functionName,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify(request)),
      }));
    } catch (error) {
      if (isUnavailable(error)) throw new DependencyUnavailableError(UNAVAILABLE, { cause: error });
      throw error;
    }
    if (statusCode !== 202) {
      throw new Error(`Invoking ${this.functionName} answered ${statusCode}, expected 202`);
    }
  }
}
