/**
 * Schedules end to end on the local platform (issue 9, "Tests"): a project
 * with two `at(...)` schedules a few seconds ahead is deployed through the
 * deployer's HTTP API; the platform's scheduler fires the trigger's real
 * schedule handler. `soon` fires while the platform runs; `later` comes due
 * while the platform is stopped and fires once when it starts again; neither
 * fires again after another restart, and a redelivered schedule event starts
 * nothing new.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Context } from 'aws-lambda';
import { SCHEDULED_TIME_PLACEHOLDER, type ScheduleEvent } from '@fluxio/trigger/ports';
import { handler as scheduleHandler } from '@fluxio/trigger/handlers/schedule';
import { atExpression, deployProject, eventually, listExecutions, onlyExecution, removeDir, startTriggerPlatform, tempDir, writeProject, type TriggerPlatform } from './triggers-helpers.ts';

const lambdaContext = { functionName: 'test', awsRequestId: 'test', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const PREFIX = 'arn:aws:states:us-east-1:000000000000:stateMachine:fluxio-local-ticker-';
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

let dataDir: string;
let workDir: string;
let t: TriggerPlatform | undefined;
let soon: number;
let later: number;

const project = (soonMs: number, laterMs: number) => `
class Tick(Task):
    async def run(event, context):
        return {"ticked": event["which"]}


@schedule(expression="${atExpression(soonMs)}", input_data={"which": "soon"})
def soon(data):
    data["tick"] = Tick(key="Tick")


@schedule(expression="${atExpression(laterMs)}", input_data={"which": "later"})
def later(data):
    data["tick"] = Tick(key="Tick")
`;

beforeAll(async () => {
  dataDir = tempDir('fluxio-schedules-data-');
  workDir = tempDir('fluxio-schedules-work-');
  t = await startTriggerPlatform(dataDir, workDir);
  // Whole seconds (at() has second precision), far enough ahead for the deployment (~1-3 s here).
  soon = Math.ceil((Date.now() + 8_000) / 1000) * 1000;
  later = soon + 8_000;
  await deployProject(t.deployer, 'ticker', writeProject(workDir, 'ticker', project(soon, later)));
}, 120_000);

afterAll(async () => {
  await t?.close();
  removeDir(dataDir);
  removeDir(workDir);
});

/** Restart the platform on the same data directory; returns once its due schedules have been delivered. */
async function restart(): Promise<TriggerPlatform> {
  await t?.close();
  t = undefined;
  t = await startTriggerPlatform(dataDir, workDir);
  await t.platform.triggers.idle();
  return t;
}

describe('schedules on the local platform', () => {
  test('an at() schedule fires once at its time: named from the schedule and the time, input_data and a schedule trace', async () => {
    const run = await onlyExecution(t!.sfn, `${PREFIX}soon`);
    expect(run.status, `${run.error}: ${run.cause}`).toBe('SUCCEEDED');
    const name = `soon-${iso(soon).replace(/[-:]/g, '')}`;
    expect(run.name).toBe(name);
    expect(run.stateMachineAliasArn).toBe(`${PREFIX}soon:live`);
    expect(JSON.parse(run.input!)).toEqual({ which: 'soon', __trace: { id: name, source: 'schedule' } });
    expect(run.startDate!.getTime()).toBeGreaterThanOrEqual(soon);
    const state = t!.platform.triggers.scheduler.states('fluxio-local-ticker').find((s) => s.name === 'soon');
    expect(state).toMatchObject({ lastFiredTime: iso(soon), nextFireTime: null });
  }, 60_000);

  test('a redelivered schedule event (same scheduled time) starts nothing new', async () => {
    const event: ScheduleEvent = { project: 'ticker', stateMachine: 'soon', schedule: 'soon', scheduledTime: iso(soon), inputData: { which: 'soon' } };
    expect(await scheduleHandler(event, lambdaContext)).toMatchObject({ kind: 'exists' });
    expect(await listExecutions(t!.sfn, `${PREFIX}soon`)).toHaveLength(1);
    // The stored target input still carries Scheduler's placeholder (filled at each firing).
    const [def] = (await t!.platform.triggers.scheduler.list('fluxio-local-ticker')).filter((d) => d.name === 'soon');
    expect(def!.input.scheduledTime).toBe(SCHEDULED_TIME_PLACEHOLDER);
  });

  test('a schedule that came due while the platform was stopped fires once on start, and never again', async () => {
    // Stop before `later` is due (the deployment took the first seconds of its lead).
    await t!.close();
    t = undefined;
    if (Date.now() >= later - 500) throw new Error('this machine took too long to get here: `later` came due before the platform stopped; raise the lead in beforeAll');
    await eventually('the time of `later` to pass while the platform is down', () => (Date.now() > later + 1000 ? true : undefined), 30_000);

    await restart();
    const run = await onlyExecution(t!.sfn, `${PREFIX}later`);
    expect(run.status, `${run.error}: ${run.cause}`).toBe('SUCCEEDED');
    expect(run.name).toBe(`later-${iso(later).replace(/[-:]/g, '')}`);
    expect(JSON.parse(run.input!)).toMatchObject({ which: 'later', __trace: { source: 'schedule' } });
    expect(await listExecutions(t!.sfn, `${PREFIX}soon`)).toHaveLength(1);

    await restart();
    expect(await listExecutions(t!.sfn, `${PREFIX}later`)).toHaveLength(1);
    expect(await listExecutions(t!.sfn, `${PREFIX}soon`)).toHaveLength(1);
    expect(t!.platform.triggers.scheduler.states('fluxio-local-ticker').map((s) => [s.name, s.lastFiredTime, s.nextFireTime])).toEqual([
      ['later', iso(later), null],
      ['soon', iso(soon), null],
    ]);
  }, 120_000);
});
