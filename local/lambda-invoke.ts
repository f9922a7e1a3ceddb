/**
 * The local stand-in for Lambda's Invoke API: runs a function of the table in this process,
 * synchronously (RequestResponse) or in the background (Event, as Lambda's asynchronous
 * invocation does), so the starter and the scheduler use the same code paths as in AWS.
 */
import type { Context } from 'aws-lambda';
import { createLambdaContext } from './api-gateway-event.js';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface LocalFunction {
  entry: string;
  timeoutSeconds?: number;
}

export interface LocalInvoker {
  /** Whether a function of this name exists. */
  has(functionName: string): boolean;
  /** Runs the function and returns its result (or throws its error). */
  invoke(functionName: string, payload: unknown): Promise<unknown>;
  /** Starts the function in the background and returns at once; failures are reported. */
  invokeAsync(functionName: string, payload: unknown): void;
  /** Waits for the background invocations that are still running. */
  settle(): Promise<void>;
}

export const createLocalInvoker = (options: {
  functions: readonly LocalFunction[];
  loadHandler: (entry: string) => Promise<LambdaHandler>;
  /** Where a failed background invocation is reported. */
  reportFailure: (line: string) => void;
}): LocalInvoker => {
  const byName = new Map(options.functions.map((definition) => [definition.entry, definition]));
  const running = new Set<Promise<void>>();

  const invoke = async (functionName: string, payload: unknown) => {
    const definition = byName.get(functionName);
    if (!definition) throw new Error(`No function ${functionName}`);
    const handler = await options.loadHandler(functionName);
    return handler(
      payload,
      createLambdaContext(functionName, (definition.timeoutSeconds ?? 10) * 1000),
    );
  };

  return {
    has: (functionName) => byName.has(functionName),
    invoke,
    invokeAsync: (functionName, payload) => {
      const task = invoke(functionName, payload).then(
        () => undefined,
        (error: unknown) =>
          options.reportFailure(
            `asynchronous invocation of ${functionName} failed (in AWS, Lambda would retry it ` +
              `and then send it to the dead-letter queue): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
          ),
      );
      running.add(task);
      void task.finally(() => running.delete(task));
    },
    settle: async () => {
      await Promise.allSettled([...running]);
    },
  };
};

/**
 * `arn:aws:lambda:…:function:run-rollup:live`, `123456789012:function:run-rollup`,
 * `run-rollup:live` and `run-rollup` all name `run-rollup`: the Invoke API accepts names, partial and full ARNs, with a qualifier.
 */
export const functionNameOf = (identifier: string): string => {
  const marker = identifier.indexOf(':function:');
  const name = marker >= 0 ? identifier.slice(marker + ':function:'.length) : identifier;
  return name.split(':')[0] ?? '';
};
