import type { AslState, TaskAttributes, TaskService } from '@fluxio/contracts/manifest';

/** Spec §7.6: the default retrier of Lambda-backed tasks. */
export const DEFAULT_LAMBDA_RETRIER = {
  ErrorEquals: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'],
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
} as const;

/** A fresh copy of {@link DEFAULT_LAMBDA_RETRIER} (a plain copy: structuredClone costs ~10 µs per Task state). */
function lambdaRetrier(): { ErrorEquals: string[]; IntervalSeconds: number; MaxAttempts: number; BackoffRate: number } {
  const r = DEFAULT_LAMBDA_RETRIER;
  return { ErrorEquals: [...r.ErrorEquals], IntervalSeconds: r.IntervalSeconds, MaxAttempts: r.MaxAttempts, BackoffRate: r.BackoffRate };
}

/**
 * Parameters of a Task state calling a Python task function: the Lambda event
 * `{meta, data}` that `fluxio_task.entry.lambda_handler` reads (the execution,
 * state and state machine names, the trace; `data` = the input at `dataPath`).
 */
export function lambdaTaskParameters(dataPath: string): { meta: Record<string, string>; 'data.$': string } {
  return {
    meta: {
      'sfn_execution_name.$': '$$.Execution.Name',
      'sfn_state_name.$': '$$.State.Name',
      'sfn_state_machine_name.$': '$$.StateMachine.Name',
      'trace_id.$': '$.__trace.id',
      'trace_source.$': '$.__trace.source',
    },
    'data.$': dataPath,
  };
}

/** Spec §7.8 / DESIGN §5.5: TimeoutSeconds when neither call site nor class sets one. */
export const DEFAULT_TASK_TIMEOUT_SECONDS = 300;

/** Resource of a nested state machine call (synchronous, Output parsed as JSON). */
export const START_EXECUTION_SYNC = 'arn:aws:states:::states:startExecution.sync:2';

const CONTEXT_ENV = [
  ['SFN_EXECUTION_NAME', '$$.Execution.Name'],
  ['SFN_STATE_NAME', '$$.State.Name'],
  ['SFN_STATE_MACHINE_NAME', '$$.StateMachine.Name'],
  ['TRACE_ID', '$.__trace.id'],
  ['TRACE_SOURCE', '$.__trace.source'],
] as const;

/** A CodeBuild `env=` entry: either a literal value or a data path (fix R16). */
export type EnvEntry = { name: string; value: string } | { name: string; path: string };

/** Inputs of one task template. */
export interface TaskTemplateInput {
  /** The Task class name (`<T>` in spec §7.4). */
  name: string;
  service: TaskService;
  attributes: TaskAttributes;
  /** JSONPath of the task input (`<IN>`), `$` when no argument is given. */
  inputPath: string;
  /** True when the enclosing function is used as a Map iterator (spec §7.4.4). */
  inMapIterator: boolean;
  env: EnvEntry[];
  buildArgVars: Record<string, unknown>;
}

/**
 * Resource + Parameters (+ default Retry) of a Task state per service, with the
 * original `${…}` placeholders (spec §7.4, §7.5; DESIGN §5.8).
 */
export function taskTemplate(t: TaskTemplateInput): Pick<AslState, 'Type'> & Record<string, unknown> {
  const T = t.name;
  switch (t.service) {
    case 'lambda':
    case 'lambda:container':
      return {
        Type: 'Task',
        Resource: `\${LambdaFunction${T}}`,
        Parameters: lambdaTaskParameters(t.inputPath),
        Retry: [lambdaRetrier()],
      };
    case 'lambda:pexpm-runner':
      return {
        Type: 'Task',
        Resource: `\${LambdaFunction${T}}`,
        Parameters: {
          package_name: `\${PackageName${T}}`,
          package_version: `\${PackageVersion${T}}`,
          command: [`\${PackageName${T}}`, 'run'],
          include_parent_environment: true,
          return_stdout: true,
          environment: {
            ...Object.fromEntries(CONTEXT_ENV.map(([k, v]) => [`${k}.$`, v])),
            'SFN_INPUT_VALUE.$': t.inputPath,
          },
        },
        Retry: [lambdaRetrier()],
      };
    case 'ecs': {
      const environment: Array<Record<string, string>> = CONTEXT_ENV.map(([k, v]) => ({ Name: k, 'Value.$': v }));
      // Container environment values are strings: the input travels as JSON text, always
      // (the original sent none when the input was the whole data, spec §19 "ECS input").
      environment.push({ Name: 'SFN_INPUT_VALUE', 'Value.$': `States.JsonToString(${t.inputPath})` });
      return {
        Type: 'Task',
        Resource: 'arn:aws:states:::ecs:runTask.sync',
        Parameters: {
          LaunchType: 'FARGATE',
          Cluster: '${ECSClusterArn}',
          TaskDefinition: `\${ECSTaskDefinition${T}}`,
          NetworkConfiguration: {
            AwsvpcConfiguration: {
              AssignPublicIp: 'DISABLED',
              SecurityGroups: ['${DatabaseSecurityGroup}', '${PrivateLoadBalancerSecurityGroup}'],
              Subnets: ['${Subnet0}', '${Subnet1}', '${Subnet2}', '${Subnet3}'],
            },
          },
          Overrides: { ContainerOverrides: [{ Name: T, Environment: environment }] },
        },
      };
    }
    case 'ecs:worker':
      return {
        Type: 'Task',
        Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
        Parameters: {
          QueueUrl: `\${QueueUrl${T}}`,
          'MessageGroupId.$': t.inMapIterator
            ? "States.Format('{}_{}_{}', $$.Execution.Name, $$.State.EnteredTime, $.context_index)"
            : "States.Format('{}_{}', $$.Execution.Name, $$.State.EnteredTime)",
          MessageAttributes: Object.fromEntries(
            CONTEXT_ENV.map(([k, v]) => [k, { DataType: 'String', 'StringValue.$': v }]),
          ),
          MessageBody: { 'Input.$': t.inputPath, 'TaskToken.$': '$$.Task.Token' },
        },
      };
    case 'codebuild':
      return {
        Type: 'Task',
        Resource: 'arn:aws:states:::codebuild:startBuild.sync',
        Parameters: {
          ProjectName: `\${CodeBuildProjectName${T}}`,
          'SourceVersion.$': '$.source_version',
          EnvironmentVariablesOverride: [
            ...t.env.map((e) => ('path' in e ? { Name: e.name, 'Value.$': e.path } : { Name: e.name, Value: e.value })),
            { Name: 'BUILD_ARG_VARS', Value: JSON.stringify(t.buildArgVars) },
          ],
        },
      };
  }
}

/**
 * A nested state machine call (spec §7.4.6, DESIGN §5.4): the child is
 * started with the data exactly as if started directly (`Input.$`).
 */
export function nestedMachineTemplate(fn: string, inputPath: string): Pick<AslState, 'Type'> & Record<string, unknown> {
  return {
    Type: 'Task',
    Resource: START_EXECUTION_SYNC,
    Parameters: { StateMachineArn: `\${StateMachine${fn}}`, 'Input.$': inputPath },
  };
}
