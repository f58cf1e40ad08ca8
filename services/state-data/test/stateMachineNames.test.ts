/**
 * The one naming rule of deployed resources (`@fluxio/contracts/names`), as
 * the deployer makes names and the state data stop function reads them back
 * (issue 11): unambiguous for project names with `-`, limits of Lambda (64)
 * and Step Functions (80), shortened names refused rather than guessed.
 */
import { describe, expect, it } from 'vitest';
import { functionName, MAX_FUNCTION_NAME_LENGTH, MAX_STATE_MACHINE_NAME_LENGTH, parseStateMachineName, stateMachineName } from '@fluxio/contracts/names';
import { stateMachineName as deployerStateMachineName, functionName as deployerFunctionName } from '../../deployer/src/names.ts';
import { projectOfLocalStateMachine, projectOfStateMachine } from '../src/stateMachineNames.ts';

describe('state machine names (fluxio-<stage>-<project>-<fn>)', () => {
  it('round-trip for project names with "-" and "_" and function names with "_"', () => {
    for (const [project, fn] of [['shop', 'main'], ['billing-eu', 'nightly_run'], ['a-b-c', 'x'], ['P_1-z', '_private']]) {
      const name = stateMachineName({ stage: 'prod', project, fn });
      expect(name).toBe(`fluxio-prod-${project}-${fn}`);
      expect(parseStateMachineName(name)).toEqual({ stage: 'prod', project, fn });
      expect(parseStateMachineName(name, 'prod')).toEqual({ stage: 'prod', project, fn });
      expect(projectOfStateMachine(name, 'prod')).toBe(project);
    }
  });

  it('the deployer names resources by the same rule', () => {
    expect(deployerStateMachineName('prod', 'billing-eu', 'main')).toBe(stateMachineName({ stage: 'prod', project: 'billing-eu', fn: 'main' }));
    expect(deployerFunctionName('prod', 'billing-eu', 'Price')).toBe(functionName({ stage: 'prod', project: 'billing-eu', fn: 'Price' }));
    const long = `p${'x'.repeat(63)}`;
    expect(deployerStateMachineName('prod', long, 'main')).toBe(stateMachineName({ stage: 'prod', project: long, fn: 'main' }));
  });

  it('a stage given must be the name\'s (a stage with "-" is read only when given)', () => {
    expect(parseStateMachineName('fluxio-prod-shop-main', 'dev')).toBeUndefined();
    expect(projectOfStateMachine('fluxio-prod-shop-main', 'pro')).toBeUndefined();
    expect(parseStateMachineName('fluxio-eu-prod-shop-main', 'eu-prod')).toEqual({ stage: 'eu-prod', project: 'shop', fn: 'main' });
  });

  it('names the deployer does not make are no project\'s', () => {
    for (const name of ['prod-shop-main', 'shop-main', 'fluxio-prod-main', 'fluxio-prod--main', 'fluxio-prod-shop-', 'fluxio-prod-9shop-main', 'fluxio-prod-shop-1main', 'fluxio-prod-shop.x-main', 'fluxio--shop-main']) {
      expect(parseStateMachineName(name), name).toBeUndefined();
    }
  });

  it('names over the limits are shortened with a hash, keep the fluxio-<stage>- prefix, and are refused by the parse', () => {
    const long = `p${'x'.repeat(63)}`;
    const a = stateMachineName({ stage: 'prod', project: long, fn: 'first' });
    const b = stateMachineName({ stage: 'prod', project: long, fn: 'second' });
    expect([a.length, b.length]).toEqual([MAX_STATE_MACHINE_NAME_LENGTH, MAX_STATE_MACHINE_NAME_LENGTH]);
    expect(a).not.toBe(b);
    expect(a.startsWith('fluxio-prod-')).toBe(true);
    expect(parseStateMachineName(a)).toBeUndefined();
    expect(functionName({ stage: 'prod', project: long, fn: 'Task' }).length).toBe(MAX_FUNCTION_NAME_LENGTH);
    // 80 characters that fit without shortening still parse
    const project = 'q'.repeat(80 - 'fluxio-prod--main'.length);
    const exact = stateMachineName({ stage: 'prod', project, fn: 'main' });
    expect(exact).toHaveLength(80);
    expect(parseStateMachineName(exact)).toEqual({ stage: 'prod', project, fn: 'main' });
  });
});

describe('local state machine names', () => {
  it('deployed on the local platform (fluxio-local-<project>-<fn>) or a development run (<project>-<fn>)', () => {
    expect(projectOfLocalStateMachine('fluxio-local-feature-flag-main')).toBe('feature-flag');
    expect(projectOfLocalStateMachine('feature-flag-main')).toBe('feature-flag');
    // the fluxio- prefix is always the deployed rule, never a project named fluxio-local-…
    expect(projectOfLocalStateMachine('fluxio-local-shop-main')).toBe('shop');
    expect(projectOfLocalStateMachine('fluxio-prod-shop-main')).toBeUndefined();
    for (const name of ['main', '-main', 'shop-', 'shop-1x']) expect(projectOfLocalStateMachine(name), name).toBeUndefined();
  });
});
