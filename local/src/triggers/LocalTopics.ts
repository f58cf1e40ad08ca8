/**
 * The local platform's topic bus: the embedded adapter of the trigger
 * service's {@link Topics} port (SNS on AWS). Topics and the subscribe
 * function's subscriptions persist in the platform's SQLite database; a
 * published message is delivered asynchronously to the subscribe function
 * with the event Lambda receives from SNS, retried on failure (as SNS's
 * asynchronous Lambda invocation is) and reported on stderr when it keeps
 * failing. Each delivery is recorded in the database until it is delivered or
 * given up, so one the platform could not finish before it stopped is made
 * on the next start ({@link DurableDeliveries}). A message published to a
 * topic nobody subscribes to reaches only {@link onPublish} listeners (SNS
 * keeps nothing for it either).
 */
import { randomUUID } from 'node:crypto';
import type { SNSEvent, SNSEventRecord } from 'aws-lambda';
import type { MessageAttributes, Topics } from '@fluxio/trigger/ports';
import { TriggerError } from '@fluxio/trigger/errors';
import { SNS_MAX_MESSAGE_BYTES, snsMessageBytes } from '@fluxio/trigger/TriggerService';
import type { PlatformDatabase } from '../store/database.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../engine/placeholders.ts';
import { DurableDeliveries, type DeliveryReporter, type RetryPolicy } from './deliveries.ts';

/** SNS's message size quota (message and attributes, 256 KiB) and how it is counted: the trigger service's. */
export { SNS_MAX_MESSAGE_BYTES };

/** A topic name: 1–256 of `[A-Za-z0-9_-]` (SNS CreateTopic; `.fifo` topics are not offered locally). */
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;

/** `arn:aws:sns:us-east-1:000000000000:<name>`, the local ARN of topic `name`. */
export const localTopicArn = (name: string): string => `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${name}`;

/** An SNS-like error (the name is SNS's exception name, so callers can treat both targets alike). */
export class LocalTopicError extends Error {
  constructor(
    name: 'NotFoundException' | 'InvalidParameterException',
    message: string,
  ) {
    super(message);
    this.name = name;
  }
}

/** A message as published (what {@link LocalTopics.onPublish} listeners see). */
export interface PublishedMessage {
  topicArn: string;
  messageId: string;
  message: string;
  attributes: MessageAttributes;
  /** ISO 8601 with milliseconds, as SNS's `Timestamp`. */
  timestamp: string;
}

/** One topic of the bus. */
export interface LocalTopic {
  name: string;
  topicArn: string;
  tags: Record<string, string>;
  /** The subscribe function's subscription ARN, or null when it is not subscribed. */
  subscriptionArn: string | null;
}

export interface LocalTopicsOptions {
  database: PlatformDatabase;
  /**
   * The trigger's subscribe function (`services/trigger/src/handlers/subscribe.ts`): called with one
   * SNS event (one record) per message of a subscribed topic. A throw is a failed delivery (retried).
   */
  deliver: (event: SNSEvent) => Promise<unknown>;
  /** Retries of a failed delivery. @default 3 attempts, 1 s then 2 s apart */
  retry?: RetryPolicy;
  /** Where an undelivered message is reported. @default stderr */
  report?: DeliveryReporter;
}

interface TopicRow {
  arn: string;
  name: string;
  tags: string;
  subscription_arn: string | null;
}

/** The embedded {@link Topics} adapter (see the module comment). */
export class LocalTopics implements Topics {
  private readonly db: PlatformDatabase['db'];
  private readonly deliveries: DurableDeliveries<SNSEvent>;
  private readonly listeners = new Set<(message: PublishedMessage) => void>();
  private closed = false;

  constructor(private readonly options: LocalTopicsOptions) {
    options.database.migrate(`
      CREATE TABLE IF NOT EXISTS trigger_topics (
        arn TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        tags TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS trigger_topic_subscriptions (
        subscription_arn TEXT PRIMARY KEY,
        topic_arn TEXT NOT NULL UNIQUE REFERENCES trigger_topics(arn) ON DELETE CASCADE,
        created_at INTEGER NOT NULL
      );`);
    this.db = options.database.db;
    this.deliveries = new DurableDeliveries<SNSEvent>(options.database, 'message', 'topic bus', options.deliver, options.retry, options.report);
  }

  /**
   * CreateTopic: idempotent by name; an existing topic's tags are replaced by `tags`.
   * @returns the topic ARN (`arn:aws:sns:us-east-1:000000000000:<name>`)
   * @throws LocalTopicError `InvalidParameterException` for a name SNS would refuse
   */
  async ensure(name: string, tags: Record<string, string>): Promise<string> {
    if (!TOPIC_NAME.test(name)) {
      throw new LocalTopicError('InvalidParameterException', `Invalid topic name ${JSON.stringify(name)}: use 1-256 letters, digits, hyphens or underscores (SNS topic names).`);
    }
    const arn = localTopicArn(name);
    this.db
      .prepare('INSERT INTO trigger_topics (arn, name, tags, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(arn) DO UPDATE SET tags = excluded.tags')
      .run(arn, name, JSON.stringify(tags), Date.now());
    return arn;
  }

  /** DeleteTopic, with its subscription; an absent topic is not an error. */
  async delete(topicArn: string): Promise<void> {
    this.db.prepare('DELETE FROM trigger_topics WHERE arn = ?').run(topicArn);
  }

  /**
   * Publish: every {@link onPublish} listener sees the message at once; the
   * subscribe function (when subscribed) receives it asynchronously.
   * @throws LocalTopicError `NotFoundException` when the topic does not exist,
   *   `InvalidParameterException` when message and attributes pass 256 KiB (SNS's quota)
   */
  async publish(topicArn: string, message: string, attributes: MessageAttributes): Promise<{ messageId: string }> {
    if (this.closed) throw new Error(`The topic bus is closed (the platform is shutting down): nothing was published to ${topicArn}.`);
    const topic = this.row(topicArn);
    if (!topic) throw new LocalTopicError('NotFoundException', `Topic does not exist: ${topicArn} (create it with ensure() first).`);
    const bytes = snsMessageBytes(message, attributes);
    if (bytes > SNS_MAX_MESSAGE_BYTES) {
      throw new LocalTopicError('InvalidParameterException', `Invalid parameter: Message too long (${bytes} bytes with its attributes; SNS allows ${SNS_MAX_MESSAGE_BYTES}).`);
    }
    const published: PublishedMessage = { topicArn, messageId: randomUUID(), message, attributes: { ...attributes }, timestamp: new Date().toISOString() };
    for (const listener of this.listeners) {
      try {
        listener(published);
      } catch (err) {
        console.error('[topic bus] an onPublish listener threw:', err);
      }
    }
    if (topic.subscription_arn) this.deliveries.add(`message ${published.messageId} of ${topicArn}`, snsEvent(published, topic.subscription_arn));
    return { messageId: published.messageId };
  }

  /**
   * Subscribe the subscribe function to `topicArn` (at most one subscription per topic: idempotent).
   * A local topic ARN (`arn:aws:sns:us-east-1:000000000000:<name>`) that does not exist yet is
   * created: on the local platform that is a topic of a stack outside Fluxio, named in the
   * operator's `exports.json` (`@subscribe(topic_arn_import_value=...)`); publish to it with
   * {@link publish}. (Fluxio's own result topics are created before anything subscribes to them.)
   * @throws TriggerError 400 `Trigger.TopicNotFound` for an ARN of another region or account (nothing else exists locally)
   */
  async subscribe(topicArn: string): Promise<void> {
    if (!this.row(topicArn)) {
      const name = topicArn.startsWith(localTopicArn('')) ? topicArn.slice(localTopicArn('').length) : '';
      if (!TOPIC_NAME.test(name)) {
        throw new TriggerError(
          'Trigger.TopicNotFound',
          400,
          `Topic ${topicArn} cannot exist on the local platform: its topics are ${localTopicArn('<name>')} (fix the value in ${'<data-dir>'}/exports.json, or deploy the project that owns the topic).`,
          { topicArn },
        );
      }
      await this.ensure(name, { 'fluxio:local': 'created-on-subscribe' });
    }
    this.db
      .prepare('INSERT INTO trigger_topic_subscriptions (subscription_arn, topic_arn, created_at) VALUES (?, ?, ?) ON CONFLICT(topic_arn) DO NOTHING')
      .run(`${topicArn}:${randomUUID()}`, topicArn, Date.now());
  }

  /** Remove the subscribe function's subscription to `topicArn`; absent is not an error. */
  async unsubscribe(topicArn: string): Promise<void> {
    this.db.prepare('DELETE FROM trigger_topic_subscriptions WHERE topic_arn = ?').run(topicArn);
  }

  /** Every topic, by name. */
  list(): LocalTopic[] {
    return (this.db.prepare(`${SELECT} ORDER BY t.name`).all() as TopicRow[]).map((r) => ({
      name: r.name,
      topicArn: r.arn,
      tags: JSON.parse(r.tags) as Record<string, string>,
      subscriptionArn: r.subscription_arn,
    }));
  }

  /**
   * Calls `listener` synchronously with every message published from now on
   * (tests, diagnostics, the console). A listener that throws is reported and does not stop publishing.
   * @returns the function that removes the listener
   */
  onPublish(listener: (message: PublishedMessage) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Deliveries not yet settled. */
  get pending(): number {
    return this.deliveries.pending;
  }

  /** Resolves once every message published so far has been delivered (or reported undelivered). */
  idle(): Promise<void> {
    return this.deliveries.idle();
  }

  /**
   * Delivers from now on: first every message a previous run of the platform
   * recorded and did not deliver (a crash, a retry cut short by shutdown), then
   * each new one. Until then, messages are recorded only.
   */
  start(): void {
    if (this.closed) throw new Error('The topic bus is closed; start a new platform.');
    this.deliveries.resume();
  }

  /**
   * Stops delivering (messages published from now on are recorded for the next
   * start) and waits for deliveries in progress; retries waiting are kept for the next start.
   */
  async pause(): Promise<void> {
    await this.deliveries.pause();
  }

  /** Refuses further publishing and {@link pause}s (undelivered messages stay recorded for the next start). */
  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    await this.deliveries.pause();
  }

  private row(topicArn: string): TopicRow | undefined {
    return this.db.prepare(`${SELECT} WHERE t.arn = ?`).get(topicArn) as TopicRow | undefined;
  }
}

const SELECT = 'SELECT t.arn, t.name, t.tags, s.subscription_arn FROM trigger_topics t LEFT JOIN trigger_topic_subscriptions s ON s.topic_arn = t.arn';

/**
 * The event Lambda receives from SNS for one message (one record per event).
 * The local bus does not sign messages: `Signature` says so.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
 */
export function snsEvent(message: PublishedMessage, subscriptionArn: string): SNSEvent {
  const record: SNSEventRecord = {
    EventSource: 'aws:sns',
    EventVersion: '1.0',
    EventSubscriptionArn: subscriptionArn,
    Sns: {
      Type: 'Notification',
      MessageId: message.messageId,
      TopicArn: message.topicArn,
      Subject: null as unknown as string,
      Message: message.message,
      Timestamp: message.timestamp,
      SignatureVersion: '1',
      Signature: 'unsigned-local-message',
      SigningCertUrl: `https://sns.${LOCAL_REGION}.amazonaws.com/SimpleNotificationService-local.pem`,
      UnsubscribeUrl: `https://sns.${LOCAL_REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`,
      MessageAttributes: Object.fromEntries(Object.entries(message.attributes).map(([k, v]) => [k, { Type: 'String', Value: v }])),
    },
  };
  return { Records: [record] };
}
