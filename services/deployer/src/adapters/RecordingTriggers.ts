/**
 * A trigger port that activates nothing (tests of the deployer alone): the
 * deployer records the `@schedule` and `@subscribe` declarations in the
 * deployment record, and this adapter answers `active: false` with a note
 * saying so, which the CLI prints. The platforms use TriggerServicePort.
 */
import type { TriggerPort } from '../ports.ts';
import { TRIGGERS_NOT_ACTIVE_NOTE } from '../Deployer.ts';

export class RecordingTriggers implements TriggerPort {
  async apply(_project: string, triggers: Parameters<TriggerPort['apply']>[1]): Promise<{ active: boolean; note: string }> {
    const none = triggers.schedules.length === 0 && triggers.subscriptions.length === 0;
    return { active: false, note: none ? 'The project declares no @schedule or @subscribe.' : TRIGGERS_NOT_ACTIVE_NOTE };
  }

  async remove(_project: string): Promise<void> {
    // Nothing was activated, so nothing to remove.
  }
}
