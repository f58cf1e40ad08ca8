/**
 * Schedules on EventBridge Scheduler (`@aws-sdk/client-scheduler`; AWS only —
 * the local platform has its in-process scheduler behind the same port).
 *
 * One schedule group per project (`fluxio-<stage>-<project>`), one schedule
 * per scheduled state machine, each with: flexible time window OFF (fires at
 * the time), the expression's time zone (`ScheduleExpressionTimezone`, UTC
 * when none), the schedule Lambda as target with the Scheduler execution role
 * (allowed to invoke only it), the {@link ScheduleEvent} as `Input`
 * (`<aws.scheduler.scheduled-time>` substituted by Scheduler), a retry policy
 * and the platform's dead-letter queue for events that still fail.
 * @see https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html
 */
import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
  type SchedulerClientConfig,
} from '@aws-sdk/client-scheduler';
import type { ScheduleDefinition, ScheduleEvent, Schedules } from '../ports.ts';

/**
 * Retries of a target invocation that failed: Scheduler's own maxima (24 hours,
 * 185 attempts), so a schedule Lambda that is throttled or briefly broken
 * still starts the execution; what fails longer goes to the DLQ.
 * @see https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html
 */
export const SCHEDULE_RETRY_POLICY = { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 };

export interface SchedulerSchedulesOptions {
  /** The schedule Lambda's ARN (every schedule's target). */
  targetArn: string;
  /** The Scheduler execution role (may invoke only the schedule Lambda and send to the DLQ). */
  roleArn: string;
  /** The dead-letter queue (SQS) ARN. */
  deadLetterArn: string;
  /** Tags of every schedule group. */
  tags?: Record<string, string>;
  client?: SchedulerClient;
  clientConfig?: SchedulerClientConfig;
}

const isAbsent = (e: unknown) => (e as Error)?.name === 'ResourceNotFoundException';
const isConflict = (e: unknown) => e instanceof ConflictException || (e as Error)?.name === 'ConflictException';

export class SchedulerSchedules implements Schedules {
  readonly client: SchedulerClient;

  constructor(private readonly options: SchedulerSchedulesOptions) {
    this.client = options.client ?? new SchedulerClient({ ...options.clientConfig });
  }

  /** The CreateSchedule / UpdateSchedule request of `s`. */
  request(s: ScheduleDefinition): CreateScheduleCommandInput {
    return {
      Name: s.name,
      GroupName: s.group,
      ScheduleExpression: s.expression,
      ScheduleExpressionTimezone: s.timezone ?? 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Description: `Fluxio: starts ${s.input.project}/${s.input.stateMachine} (alias live)`,
      Target: {
        Arn: this.options.targetArn,
        RoleArn: this.options.roleArn,
        Input: JSON.stringify(s.input),
        RetryPolicy: SCHEDULE_RETRY_POLICY,
        DeadLetterConfig: { Arn: this.options.deadLetterArn },
      },
    };
  }

  async replaceGroup(group: string, schedules: ScheduleDefinition[]): Promise<void> {
    try {
      const tags = Object.entries(this.options.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
      await this.client.send(new CreateScheduleGroupCommand({ Name: group, ...(tags.length ? { Tags: tags } : {}) }));
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
    const existing = new Set(await this.names(group));
    for (const s of schedules) {
      const input = this.request({ ...s, group });
      if (existing.has(s.name)) await this.client.send(new UpdateScheduleCommand(input));
      else {
        try {
          await this.client.send(new CreateScheduleCommand(input));
        } catch (e) {
          if (!isConflict(e)) throw e;
          await this.client.send(new UpdateScheduleCommand(input));
        }
      }
    }
    const wanted = new Set(schedules.map((s) => s.name));
    for (const name of existing) {
      if (wanted.has(name)) continue;
      try {
        await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: group }));
      } catch (e) {
        if (!isAbsent(e)) throw e;
      }
    }
  }

  async deleteGroup(group: string): Promise<void> {
    try {
      // Deleting a group deletes its schedules too.
      await this.client.send(new DeleteScheduleGroupCommand({ Name: group }));
    } catch (e) {
      if (!isAbsent(e)) throw e;
    }
  }

  async list(group: string): Promise<ScheduleDefinition[]> {
    const out: ScheduleDefinition[] = [];
    for (const name of await this.names(group)) {
      try {
        const s = await this.client.send(new GetScheduleCommand({ Name: name, GroupName: group }));
        out.push({
          group,
          name,
          expression: s.ScheduleExpression ?? '',
          timezone: s.ScheduleExpressionTimezone && s.ScheduleExpressionTimezone !== 'UTC' ? s.ScheduleExpressionTimezone : null,
          input: JSON.parse(s.Target?.Input ?? '{}') as ScheduleEvent,
        });
      } catch (e) {
        if (!isAbsent(e)) throw e;
      }
    }
    return out;
  }

  /** Names of the schedules of `group` (every page); none when the group is absent. */
  private async names(group: string): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(new ListSchedulesCommand({ GroupName: group, NextToken: token }));
        for (const s of page.Schedules ?? []) if (s.Name) names.push(s.Name);
        token = page.NextToken;
      } while (token);
    } catch (e) {
      if (!isAbsent(e)) throw e;
    }
    return names;
  }
}
