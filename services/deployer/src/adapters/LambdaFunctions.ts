/**
 * Task functions on Lambda (`@aws-sdk/client-lambda`), on AWS or the local
 * platform's Lambda API. Creates and updates are waited for with the SDK's
 * waiters (`State` Active, `LastUpdateStatus` Successful) before the next call,
 * as Lambda requires.
 */
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  paginateListFunctions,
  paginateListVersionsByFunction,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  type LambdaClientConfig,
} from '@aws-sdk/client-lambda';
import type { FunctionConfig, Functions } from '../ports.ts';

/** Longest wait for one function to become Active / Successful, in seconds. */
const WAIT_SECONDS = 300;

const isNotFound = (e: unknown) => (e as Error)?.name === 'ResourceNotFoundException';

export interface LambdaFunctionsOptions {
  client?: LambdaClient;
  clientConfig?: LambdaClientConfig;
  /** Waiter polling delays, seconds. @default Lambda waiters' own (1 s) */
  waiterMinDelaySeconds?: number;
}

export class LambdaFunctions implements Functions {
  readonly client: LambdaClient;
  private readonly minDelay: number;

  constructor(options: LambdaFunctionsOptions = {}) {
    this.client = options.client ?? new LambdaClient({ ...options.clientConfig });
    this.minDelay = options.waiterMinDelaySeconds ?? 1;
  }

  private waiter = () => ({ client: this.client, maxWaitTime: WAIT_SECONDS, minDelay: this.minDelay, maxDelay: Math.max(this.minDelay, 5) });

  async describe(functionName: string) {
    try {
      const c = await this.client.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
      return { functionArn: c.FunctionArn!, description: c.Description ?? '' };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async findVersion(functionName: string, description: string): Promise<string | undefined> {
    let found: number | undefined;
    for await (const page of paginateListVersionsByFunction({ client: this.client }, { FunctionName: functionName })) {
      for (const v of page.Versions ?? []) {
        if (v.Version === '$LATEST' || v.Description !== description) continue;
        const n = Number(v.Version);
        if (found === undefined || n > found) found = n;
      }
    }
    return found === undefined ? undefined : String(found);
  }

  private static configuration(config: FunctionConfig) {
    return {
      FunctionName: config.functionName,
      Runtime: config.runtime as never,
      Handler: config.handler,
      Role: config.roleArn,
      Timeout: config.timeoutSeconds,
      MemorySize: config.memoryMb,
      Description: config.description,
      Environment: { Variables: config.environment },
      ...(config.tracing ? { TracingConfig: { Mode: 'Active' as const } } : {}),
    };
  }

  async create(config: FunctionConfig, zip: Uint8Array): Promise<{ functionArn: string }> {
    const out = await this.client.send(new CreateFunctionCommand({ ...LambdaFunctions.configuration(config), Code: { ZipFile: zip }, Publish: false }));
    await waitUntilFunctionActiveV2(this.waiter(), { FunctionName: config.functionName });
    return { functionArn: out.FunctionArn! };
  }

  async update(config: FunctionConfig, zip: Uint8Array): Promise<void> {
    await waitUntilFunctionUpdatedV2(this.waiter(), { FunctionName: config.functionName });
    await this.client.send(new UpdateFunctionCodeCommand({ FunctionName: config.functionName, ZipFile: zip }));
    await waitUntilFunctionUpdatedV2(this.waiter(), { FunctionName: config.functionName });
    await this.client.send(new UpdateFunctionConfigurationCommand(LambdaFunctions.configuration(config)));
    await waitUntilFunctionUpdatedV2(this.waiter(), { FunctionName: config.functionName });
  }

  async publish(functionName: string, description: string): Promise<{ version: string }> {
    const out = await this.client.send(new PublishVersionCommand({ FunctionName: functionName, Description: description }));
    return { version: out.Version! };
  }

  async delete(functionName: string): Promise<void> {
    try {
      await this.client.send(new DeleteFunctionCommand({ FunctionName: functionName }));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const names: string[] = [];
    for await (const page of paginateListFunctions({ client: this.client }, {})) {
      for (const f of page.Functions ?? []) if (f.FunctionName?.startsWith(prefix)) names.push(f.FunctionName);
    }
    return names.sort();
  }
}
