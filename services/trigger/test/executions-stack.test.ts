/**
 * The executions functions in the platform's own stack (serverless.yml,
 * issue 9): one function per route of EXECUTION_ROUTES, behind IAM, with
 * FLUXIO_STAGE; two least-privilege roles whose Step Functions permissions
 * reach only this stage's state machines (`fluxio-<stage>-*`) and their
 * executions, and only the read role's actions for the read routes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXECUTION_ROUTES } from '@fluxio/contracts/routes';
import { parseServerlessYml } from '../../../test/helpers/serverlessYml.ts';

const yml = parseServerlessYml(readFileSync(fileURLToPath(new URL('../../../serverless.yml', import.meta.url)), 'utf8'));
type Statement = { Sid?: string; Effect: string; Action: string[]; Resource: unknown[] };
const statements = (role: string): Statement[] => yml.resources.Resources[role].Properties.Policies[0].PolicyDocument.Statement;
const stateActions = (role: string) => statements(role).flatMap((s) => s.Action).filter((a) => a.startsWith('states:')).sort();
const sub = (r: unknown) => (r as { 'Fn::Sub'?: string })['Fn::Sub'] ?? r;

const READ = ['executionsList', 'executionsDescribe', 'executionsHistory'];
const CONTROL = ['executionsStart', 'executionsStop', 'executionsRedrive'];

describe('serverless.yml: the executions functions', () => {
  it('declares every executions route as its own function with FLUXIO_STAGE and the read or control role', () => {
    expect(EXECUTION_ROUTES.map((r) => r.functionName).sort()).toEqual([...READ, ...CONTROL].sort());
    for (const route of EXECUTION_ROUTES) {
      const fn = yml.functions[route.functionName];
      expect(fn.handler).toBe(`services/trigger/src/handlers/executions.${route.exportName}`);
      expect(fn.environment.FLUXIO_STAGE).toBe('${self:provider.stage}');
      expect(fn.role).toBe(READ.includes(route.functionName) ? 'FluxioExecutionsReadRole' : 'FluxioExecutionsControlRole');
      expect(fn.events).toEqual([{ httpApi: { method: route.method, path: route.path, authorizer: { type: 'aws_iam' } } }]);
    }
  });

  it('lets the read role only describe and list, and the control role start, stop and redrive', () => {
    expect(stateActions('FluxioExecutionsReadRole')).toEqual(['states:DescribeExecution', 'states:DescribeStateMachineAlias', 'states:GetExecutionHistory', 'states:ListExecutions', 'states:ListStateMachines']);
    expect(stateActions('FluxioExecutionsControlRole')).toEqual([
      'states:DescribeExecution',
      'states:DescribeStateMachineAlias',
      'states:ListStateMachines',
      'states:RedriveExecution',
      'states:StartExecution',
      'states:StopExecution',
    ]);
  });

  it('scopes every Step Functions action but ListStateMachines (no resource-level permissions) to this stage\'s state machines and executions', () => {
    for (const role of ['FluxioExecutionsReadRole', 'FluxioExecutionsControlRole']) {
      for (const s of statements(role).filter((st) => st.Action.some((a) => a.startsWith('states:')))) {
        expect(s.Effect).toBe('Allow');
        if (s.Action.includes('states:ListStateMachines')) {
          expect(s.Action).toEqual(['states:ListStateMachines']);
          continue;
        }
        const resources = s.Resource.map(sub) as string[];
        expect(resources.length, `${role} ${s.Sid}`).toBeGreaterThan(0);
        for (const r of resources) expect(r, `${role} ${s.Sid}`).toMatch(/^arn:\$\{AWS::Partition\}:states:\$\{AWS::Region\}:\$\{AWS::AccountId\}:(stateMachine|execution):fluxio-\$\{self:provider\.stage\}-\*(:\*)?$/);
        const onExecutions = s.Action.some((a) => /Execution(History)?$/.test(a) && a !== 'states:StartExecution' && a !== 'states:ListExecutions');
        if (onExecutions) expect(resources.every((r) => r.includes(':execution:'))).toBe(true);
      }
    }
  });
});
