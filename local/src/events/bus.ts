/**
 * The platform's in-process event bus: EventBridge-shaped events
 * (`{version, id, "detail-type", source, account, time, region, resources, detail}`,
 * as https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html
 * describes them) published by the local Step Functions API and consumed by the
 * trigger service. Delivery is synchronous and in order; a subscriber that
 * throws is reported on stderr and does not stop the others.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../engine/placeholders.ts';

/** An EventBridge event. */
export interface BusEvent<D = unknown> {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  /** ISO 8601, second precision (as EventBridge sends it). */
  time: string;
  region: string;
  resources: string[];
  detail: D;
}

/** `detail` of a "Step Functions Execution Status Change" event (the service's shape; dates in epoch milliseconds). */
export interface ExecutionStatusChangeDetail {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
  startDate: number;
  stopDate: number | null;
  /** JSON text, as the service sends it. */
  input: string;
  inputDetails: { included: boolean };
  output: string | null;
  outputDetails: { included: boolean } | null;
  error: string | null;
  cause: string | null;
  redriveCount: number;
  redriveDate: number | null;
  redriveStatus: string;
  redriveStatusReason: string | null;
  stateMachineVersionArn: string | null;
  stateMachineAliasArn: string | null;
}

/** The detail-type of execution status events (Step Functions' EventBridge integration). */
export const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';

export type BusListener = (event: BusEvent) => void;

/** A typed EventEmitter: subscribe to every event, or to one `source` + `detail-type`. */
export class EventBus {
  private readonly emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /**
   * Calls `listener` with every event (or only those of `filter`).
   * @returns the unsubscribe function
   */
  subscribe(listener: BusListener, filter?: { source?: string; detailType?: string }): () => void {
    const wrapped: BusListener = (event) => {
      if (filter?.source && event.source !== filter.source) return;
      if (filter?.detailType && event['detail-type'] !== filter.detailType) return;
      try {
        listener(event);
      } catch (err) {
        console.error('[event bus] a subscriber threw:', err);
      }
    };
    this.emitter.on('event', wrapped);
    return () => void this.emitter.off('event', wrapped);
  }

  /** Publishes an event to every subscriber (synchronously). */
  publish<D>(source: string, detailType: string, resources: string[], detail: D): BusEvent<D> {
    const event: BusEvent<D> = {
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source,
      account: LOCAL_ACCOUNT,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: LOCAL_REGION,
      resources,
      detail,
    };
    this.emitter.emit('event', event);
    return event;
  }

  /** Number of subscribers (for tests and diagnostics). */
  get subscriberCount(): number {
    return this.emitter.listenerCount('event');
  }
}
