/**
 * Lambda's Invoke API on the SigV4 client the functions share (adapters/aws/sigv4-client.ts),
 * instead of the SDK's Lambda client: about 20 ms less at start-rollup's cold starts
 * (docs/performance.md). The operation and its input are named as in the Lambda API and the
 * SDK, so the local IAM guard (local/iam-guard.ts) reads them by those names.
 */
import { readText, SigV4Client, type SigV4ClientSettings } from '../aws/sigv4-client.js';

export interface LambdaOperations {
  Invoke: {
    input: { FunctionName: string; InvocationType: 'Event' | 'RequestResponse'; Payload: Buffer };
    output: { StatusCode: number; Payload: string };
  };
}

/**
 * Lambda names its errors in `x-amzn-errortype` (`TooManyRequestsException:…`) and explains
 * them in a JSON body's `message` or `Message`.
 */
export const readLambdaError = (
  statusCode: number,
  headers: Record<string, string | undefined>,
  body: string,
) => {
  let explained: { message?: unknown; Message?: unknown } = {};
  try {
    explained = JSON.parse(body) as typeof explained;
  } catch {
    // Not JSON (a proxy's page): the status names it.
  }
  const message = explained.message ?? explained.Message;
  return {
    name: headers['x-amzn-errortype']?.split(':')[0] || `Http${statusCode}`,
    message: typeof message === 'string' ? message : `Lambda answered HTTP ${statusCode}`,
  };
};

export class LambdaInvokeClient {
  private readonly http: SigV4Client;

  constructor(options: SigV4ClientSettings) {
    this.http = new SigV4Client({
      service: 'lambda',
      endpointEnvSuffix: 'LAMBDA',
      escapePath: true,
      payloadHashHeader: false,
      readError: readLambdaError,
      ...options,
    });
  }

  async send<Name extends keyof LambdaOperations>(
    _operation: Name,
    { FunctionName, InvocationType, Payload }: LambdaOperations[Name]['input'],
  ): Promise<LambdaOperations[Name]['output']> {
    const answer = await this.http.send({
      method: 'POST',
      path: `/2015-03-31/functions/${encodeURIComponent(FunctionName)}/invocations`,
      headers: { 'content-type': 'application/json', 'x-amz-invocation-type': InvocationType },
      body: Payload,
    });
    return { StatusCode: answer.statusCode, Payload: await readText(answer.body) };
  }

  destroy(): void {
    this.http.destroy();
  }
}

/**
 * One Lambda client per execution environment; the endpoint comes from AWS_ENDPOINT_URL_LAMBDA
 * (the local server answers the Invoke API). Throttling (429 TooManyRequestsException) is
 * retried with backoff; three attempts of at most 2 s end within the calling API function's
 * 10 s.
 */
export const lambdaClient = new LambdaInvokeClient({
  maxAttempts: 3,
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 2_000,
});
