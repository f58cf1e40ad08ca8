/**
 * The local platform's triggers (issue 9): the trigger service of
 * `services/trigger` over the platform's APIs, with the embedded adapters of
 * its AWS-only ports — the scheduler (EventBridge Scheduler), the topic bus
 * (SNS), the export registry (CloudFormation exports) — and the status feed
 * (the EventBridge rule on `aws.states`). Each calls the trigger's own Lambda
 * handlers (schedule, subscribe, status) with the events AWS sends them, so
 * the code that runs locally is the code that runs on AWS.
 */
import type { StateDataService } from '@fluxio/state-data';
import { createLocalTriggerService, type TriggerServiceHandle } from '@fluxio/trigger/createTriggerService';
import { setTriggerService } from '@fluxio/trigger/triggerRegistry';
import type { TriggerService, TriggerServiceOptions } from '@fluxio/trigger/TriggerService';
import { handler as scheduleHandler } from '@fluxio/trigger/handlers/schedule';
import { handler as subscribeHandler } from '@fluxio/trigger/handlers/subscribe';
import { handler as statusHandler } from '@fluxio/trigger/handlers/status';
import type { EventBus } from '../events/bus.ts';
import { localLambdaContext as context } from '../server/httpServer.ts';
import type { PlatformDatabase } from '../store/database.ts';
import type { DeliveryReporter, RetryPolicy } from './deliveries.ts';
import { LocalExports } from './LocalExports.ts';
import { LocalScheduler } from './LocalScheduler.ts';
import { LocalTopics } from './LocalTopics.ts';
import { startStatusFeed, type StatusFeed } from './statusFeed.ts';

export { LocalScheduler, DEFAULT_MISSED_WINDOW_SECONDS, scheduledTimeText, type LocalSchedulerOptions, type LocalScheduleState } from './LocalScheduler.ts';
export { LocalTopics, LocalTopicError, localTopicArn, snsEvent, SNS_MAX_MESSAGE_BYTES, type PublishedMessage, type LocalTopic, type LocalTopicsOptions } from './LocalTopics.ts';
export { LocalExports, EXPORTS_FILE, type LocalExportsOptions } from './LocalExports.ts';
export { startStatusFeed, type StatusFeed, type StatusFeedOptions, type ExecutionStatusChangeEvent } from './statusFeed.ts';
export { Deliveries, type RetryPolicy, type DeliveryReporter } from './deliveries.ts';

export interface LocalTriggersOptions {
  database: PlatformDatabase;
  /** The platform's data directory (the operator's `exports.json`). */
  dataDir: string;
  /** The platform's event bus (execution status events). */
  bus: EventBus;
  /** The platform's URL: its Step Functions and Lambda APIs. */
  platformUrl: string;
  /** The platform's dynalite (the trigger records table). */
  dynamodbEndpoint: string;
  /** The platform's state data service (offloaded result parts). */
  stateData: StateDataService;
  /** Retries of every failed delivery (schedule, status event, message). @default 3 attempts, 1 s then 2 s apart */
  retry?: RetryPolicy;
  /** Where undelivered events are reported. @default stderr */
  report?: DeliveryReporter;
  /** Extra trigger service options (tests: a logger). */
  overrides?: Partial<TriggerServiceOptions>;
}

/** The running local triggers. */
export interface LocalTriggers {
  service: TriggerService;
  scheduler: LocalScheduler;
  topics: LocalTopics;
  exports: LocalExports;
  /**
   * Start delivering: the status events and messages recorded and not delivered (by this run
   * so far, and by an earlier one), then arm the schedules (a schedule missed while the platform
   * was down fires once now). Call once executions can start.
   */
  start(): void;
  /**
   * Stop the schedules and deliveries, waiting for those in progress; status events and messages
   * from now on are recorded and delivered at the next start (call before the Step Functions API closes).
   */
  pause(): Promise<void>;
  /** Resolves once nothing is being delivered: every due schedule, status event and message so far handled (or reported). */
  idle(): Promise<void>;
  /** {@link pause}, then stop listening to the bus and release the SDK clients (before the platform database closes). */
  close(): Promise<void>;
}

/**
 * Builds the trigger service over the platform and its embedded adapters, and
 * makes it the one the trigger handlers use (`setTriggerService`). The status
 * feed records from now on (so the status events of executions the Step
 * Functions API aborts on start are published); deliveries and schedules wait for {@link LocalTriggers.start}.
 */
export function createLocalTriggers(options: LocalTriggersOptions): LocalTriggers {
  const { database, retry, report } = options;
  const scheduler = new LocalScheduler({ database, retry, report, deliver: (event) => scheduleHandler(event, context('fluxio-local-triggerSchedule')) });
  const topics = new LocalTopics({ database, retry, report, deliver: (event) => subscribeHandler(event, context('fluxio-local-triggerSubscribe')) });
  const exports = new LocalExports({ database, dataDir: options.dataDir });
  let handle: TriggerServiceHandle;
  try {
    handle = createLocalTriggerService({
      platformUrl: options.platformUrl,
      dynamodbEndpoint: options.dynamodbEndpoint,
      schedules: scheduler,
      topics,
      exports,
      stateData: options.stateData,
      overrides: options.overrides,
    });
  } catch (e) {
    void scheduler.close();
    void topics.close();
    throw e;
  }
  setTriggerService(handle.service);
  const feed: StatusFeed = startStatusFeed({ bus: options.bus, database, retry, report, deliver: (event) => statusHandler(event, context('fluxio-local-triggerStatus')) });
  let closing: Promise<void> | undefined;
  return {
    service: handle.service,
    scheduler,
    topics,
    exports,
    start() {
      // What earlier runs left undelivered first, then the schedules (a fire time missed while down fires now).
      feed.start();
      topics.start();
      scheduler.start();
    },
    async pause() {
      await scheduler.close();
      await feed.pause();
      await topics.pause();
    },
    async idle() {
      // A status event publishes a message, whose delivery starts an execution, whose events follow: until all are quiet.
      while (scheduler.pending || feed.pending || topics.pending) {
        await scheduler.idle();
        await feed.idle();
        await topics.idle();
      }
    },
    close: () =>
      (closing ??= (async () => {
        await scheduler.close();
        await feed.pause();
        await topics.pause();
        await feed.close();
        await topics.close();
        setTriggerService(undefined);
        handle.close();
      })()),
  };
}
