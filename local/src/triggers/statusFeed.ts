/**
 * The local stand-in for the platform stack's EventBridge rule on `aws.states`
 * "Step Functions Execution Status Change" events: every such event of the
 * platform's {@link EventBus} (published by the local Step Functions API) is
 * whose state machine is one of the stage's (`…:stateMachine:fluxio-local-…`,
 * the rule's `stateMachineArn` prefix pattern in serverless.yml) is
 * delivered asynchronously to the trigger's status function
 * (`services/trigger/src/handlers/status.ts`) as the EventBridge event it
 * would receive on AWS. A failed delivery is retried with backoff and then
 * reported on stderr, as EventBridge retries a target and gives up. Events
 * wait in the platform database until delivered or given up, so the platform
 * stopping (or crashing) loses none: the next start delivers them.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { EXECUTION_STATUS_CHANGE, type BusEvent, type EventBus, type ExecutionStatusChangeDetail } from '../events/bus.ts';
import { stagePrefix } from '@fluxio/contracts/names';
import { LOCAL_STAGE } from '@fluxio/deployer';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../engine/placeholders.ts';
import { DurableDeliveries, type DeliveryReporter, type RetryPolicy } from './deliveries.ts';
import type { PlatformDatabase } from '../store/database.ts';

/** The EventBridge event the status function receives. */
export type ExecutionStatusChangeEvent = EventBridgeEvent<typeof EXECUTION_STATUS_CHANGE, ExecutionStatusChangeDetail>;

export interface StatusFeedOptions {
  bus: EventBus;
  /** Where events wait until delivered (the platform database). */
  database: PlatformDatabase;
  /**
   * Only events of state machines whose ARN starts with this are delivered (the
   * rule's pattern). @default `arn:aws:states:us-east-1:000000000000:stateMachine:fluxio-local-`
   */
  stateMachineArnPrefix?: string;
  /** The status function; a throw is a failed delivery (retried). */
  deliver: (event: ExecutionStatusChangeEvent) => Promise<unknown>;
  /** @default 3 attempts, 1 s then 2 s apart */
  retry?: RetryPolicy;
  /** @default stderr */
  report?: DeliveryReporter;
}

/** A running status feed. */
export interface StatusFeed {
  /** Deliveries not yet settled. */
  readonly pending: number;
  /** Delivers from now on: first the events recorded and not delivered (this run's so far, and a previous run's), then each new one. */
  start(): void;
  /** Stops delivering (events from now on are only recorded, for the next start) and waits for deliveries in progress. */
  pause(): Promise<void>;
  /** Resolves once every event seen so far has been delivered (or reported undelivered). */
  idle(): Promise<void>;
  /** Unsubscribes from the bus and pauses (what was not delivered stays recorded for the next start). */
  close(): Promise<void>;
}

/**
 * Subscribes to `bus`: every execution status change event of the stage is
 * recorded at once (the platform database) and delivered once {@link StatusFeed.start}ed.
 */
export function startStatusFeed(options: StatusFeedOptions): StatusFeed {
  const deliveries = new DurableDeliveries<ExecutionStatusChangeEvent>(options.database, 'status', 'status feed', options.deliver, options.retry, options.report);
  const prefix = options.stateMachineArnPrefix ?? `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${stagePrefix(LOCAL_STAGE)}`;
  const unsubscribe = options.bus.subscribe(
    (event: BusEvent) => {
      const detail = event.detail as ExecutionStatusChangeDetail;
      if (!detail.stateMachineArn?.startsWith(prefix)) return;
      deliveries.add(`${detail.status} event of ${detail.executionArn}`, event as unknown as ExecutionStatusChangeEvent);
    },
    { source: 'aws.states', detailType: EXECUTION_STATUS_CHANGE },
  );
  return {
    get pending() {
      return deliveries.pending;
    },
    idle: () => deliveries.idle(),
    start: () => deliveries.resume(),
    pause: () => deliveries.pause(),
    async close() {
      unsubscribe();
      await deliveries.pause();
    },
  };
}
