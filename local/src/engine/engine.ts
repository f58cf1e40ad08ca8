/**
 * The one module that loads the ASL engine (aws-local-stepfunctions 3.0.0,
 * patched by `patches/aws-local-stepfunctions+3.0.0.patch`). It installs the
 * Node 20 polyfill first (DESIGN.md §4).
 */
import '@fluxio/contracts/polyfills';

export {
  StateMachine,
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
} from 'aws-local-stepfunctions';
export type {
  EventLog,
  StateMachineDefinition,
  RunOptions,
  JSONValue,
  Context,
  TaskState,
  TaskStateResourceLocalHandlerInfo,
} from 'aws-local-stepfunctions';
