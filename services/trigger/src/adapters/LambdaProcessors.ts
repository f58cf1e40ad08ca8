/**
 * Event processor functions through Lambda Invoke (`@aws-sdk/client-lambda`),
 * on AWS or on the local platform's Lambda API (only the endpoint differs).
 *
 * The function (`fluxio-<stage>-<project>-<EventProcessor class>`, handler
 * `fluxio_task.entry.event_processor_handler`) gets
 * `{"processor", "eventType", "message", "inputData"}` and answers
 * `{"tags": {...}}`: the return value of the class's
 * `get_custom_tags_<eventType>(message, input_data, state_data_client)`
 * (the original's EventProcessor, spec §2.4).
 */
import { InvokeCommand, LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import { TriggerError } from '../errors.ts';
import type { ProcessorRequest, Processors } from '../ports.ts';

export interface LambdaProcessorsOptions {
  client?: LambdaClient;
  clientConfig?: LambdaClientConfig;
}

const failed = (functionName: string, why: string) =>
  new TriggerError('Trigger.ProcessorFailed', 502, `Event processor function ${functionName} ${why}`, { functionName });

export class LambdaProcessors implements Processors {
  readonly client: LambdaClient;

  constructor(options: LambdaProcessorsOptions = {}) {
    this.client = options.client ?? new LambdaClient({ ...options.clientConfig });
  }

  async invoke(functionName: string, request: ProcessorRequest): Promise<Record<string, unknown>> {
    const out = await this.client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(JSON.stringify(request)) }));
    const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      throw failed(functionName, `answered text that is not JSON: ${text.slice(0, 200)}`);
    }
    if (out.FunctionError) {
      const e = body as { errorType?: string; errorMessage?: string } | undefined;
      throw failed(functionName, `raised ${e?.errorType ?? out.FunctionError}: ${e?.errorMessage ?? text.slice(0, 500)}`);
    }
    const tags = (body as { tags?: unknown } | undefined)?.tags;
    if (tags === null || tags === undefined) return {};
    if (typeof tags !== 'object' || Array.isArray(tags)) throw failed(functionName, `answered tags that are not an object: ${JSON.stringify(tags).slice(0, 200)}; get_custom_tags_* must return a dict.`);
    return tags as Record<string, unknown>;
  }
}
