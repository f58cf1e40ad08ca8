/**
 * The deployer's trigger port over the trigger service (issue 9,
 * `@fluxio/trigger`'s TriggerService.activate / deactivate): every deployed
 * first-class state machine gets its success and failure topics (exported),
 * the project's schedule group holds its `@schedule`s, each `@subscribe`
 * subscribes the trigger's subscribe function to the upstream topic, and
 * what the previous deployment had and this one does not is removed.
 *
 * A trigger error the caller can fix (`Trigger.ExportNotFound`, …) becomes a
 * DeployError with the same code and status, so the deployment fails with it
 * (its aliases pointed back) rather than as a 502.
 */
import type { TriggerActivation, TriggerService } from '@fluxio/trigger/TriggerService';
import { isTriggerError } from '@fluxio/trigger/errors';
import { DeployError } from '../errors.ts';
import type { TriggerApplyRequest, TriggerPort } from '../ports.ts';

export class TriggerServicePort implements TriggerPort {
  constructor(private readonly service: Pick<TriggerService, 'activate' | 'deactivate'>) {}

  async apply(project: string, triggers: TriggerApplyRequest) {
    const activation: TriggerActivation = {
      stateMachines: Object.fromEntries(
        Object.entries(triggers.stateMachines).map(([fn, sm]) => [
          fn,
          { aliasArn: sm.aliasArn, eventProcessor: triggers.eventProcessors?.[fn] ?? null, eventProcessorFunction: sm.eventProcessorFunction ?? null },
        ]),
      ),
      schedules: triggers.schedules.map((s) => {
        if (!s.expression)
          throw new DeployError('Deploy.InvalidSchedule', 400, `@schedule on ${s.stateMachine} has no expression; write @schedule(expression="rate(1 hour)") (or cron(...), at(...)).`, { stateMachine: s.stateMachine });
        const inputData = s.inputData && typeof s.inputData === 'object' && !Array.isArray(s.inputData) ? (s.inputData as Record<string, unknown>) : null;
        return { stateMachine: s.stateMachine, expression: s.expression, timezone: s.timezone ?? null, inputData };
      }),
      subscriptions: triggers.subscriptions.map((s) => ({
        stateMachine: s.stateMachine,
        project: s.project,
        source: s.source,
        status: s.status === 'failure' ? 'failure' : 'success',
        topicArnImportValue: s.topicArnImportValue ?? null,
      })),
    };
    try {
      const result = await this.service.activate(project, activation);
      const topics = Object.fromEntries(
        Object.entries(result.topics).map(([fn, t]) => [
          fn,
          { successTopicArn: t.success.topicArn, failureTopicArn: t.failure.topicArn, successExportName: t.success.exportName, failureExportName: t.failure.exportName },
        ]),
      );
      return { active: true, note: result.note, topics };
    } catch (e) {
      throw asDeployError(e);
    }
  }

  async remove(project: string): Promise<void> {
    try {
      await this.service.deactivate(project);
    } catch (e) {
      throw asDeployError(e);
    }
  }
}

/** A trigger error the caller can fix as a DeployError of the same code and status; anything else as it is. */
function asDeployError(e: unknown): unknown {
  if (isTriggerError(e) && e.statusCode < 500) return new DeployError(e.code, e.statusCode, e.message, e.details);
  return e;
}
