/**
 * Result topics on SNS (`@aws-sdk/client-sns`; AWS only — the local platform
 * has its in-process topic bus behind the same port).
 *
 * - `ensure`: CreateTopic (idempotent for the same name and tags) → the ARN;
 * - `publish`: Publish with `String` message attributes;
 * - `subscribe`: Subscribe the trigger's subscribe function
 *   (`FLUXIO_SUBSCRIBE_FUNCTION_ARN`, protocol `lambda`; SNS answers the
 *   existing subscription for the same endpoint, so it is idempotent);
 * - `unsubscribe`: the subscription of that endpoint, found with
 *   ListSubscriptionsByTopic (every page), Unsubscribe'd.
 *
 * A topic of another account must allow `sns:Subscribe` for the platform's
 * deployer role in its topic policy, and the subscribe function's resource
 * policy must allow that topic (serverless.yml allows this account's topics).
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-lambda-as-subscriber.html
 */
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
  type SNSClientConfig,
} from '@aws-sdk/client-sns';
import type { MessageAttributes, Topics } from '../ports.ts';

export interface SnsTopicsOptions {
  /** The subscribe function's ARN (the endpoint of every subscription). */
  subscribeFunctionArn: string;
  client?: SNSClient;
  clientConfig?: SNSClientConfig;
}

const isAbsent = (e: unknown) => ['NotFoundException', 'NotFound'].includes((e as Error)?.name ?? '');

export class SnsTopics implements Topics {
  readonly client: SNSClient;

  constructor(private readonly options: SnsTopicsOptions) {
    this.client = options.client ?? new SNSClient({ ...options.clientConfig });
  }

  async ensure(name: string, tags: Record<string, string>): Promise<string> {
    const out = await this.client.send(new CreateTopicCommand({ Name: name, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
    if (!out.TopicArn) throw new Error(`CreateTopic ${name} answered no TopicArn.`);
    return out.TopicArn;
  }

  async delete(topicArn: string): Promise<void> {
    try {
      await this.client.send(new DeleteTopicCommand({ TopicArn: topicArn }));
    } catch (e) {
      if (!isAbsent(e)) throw e;
    }
  }

  async publish(topicArn: string, message: string, attributes: MessageAttributes): Promise<{ messageId: string }> {
    const out = await this.client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: message,
        MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
      }),
    );
    return { messageId: out.MessageId ?? '' };
  }

  async subscribe(topicArn: string): Promise<void> {
    await this.client.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'lambda', Endpoint: this.options.subscribeFunctionArn, ReturnSubscriptionArn: true }));
  }

  async unsubscribe(topicArn: string): Promise<void> {
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: token }));
        for (const s of page.Subscriptions ?? [])
          if (s.Protocol === 'lambda' && s.Endpoint === this.options.subscribeFunctionArn && s.SubscriptionArn?.startsWith('arn:'))
            await this.client.send(new UnsubscribeCommand({ SubscriptionArn: s.SubscriptionArn }));
        token = page.NextToken;
      } while (token);
    } catch (e) {
      if (!isAbsent(e)) throw e;
    }
  }
}
