/** Public surface of the deployer service. */
export { Deployer, SimulatedCrash, newDeploymentId, TRIGGERS_NOT_ACTIVE_NOTE, PLAN_TRIGGERS_NOTE, type DeployerOptions, type DeployerTarget } from './Deployer.ts';
export { createLocalDeployer, createAwsDeployer, LOCAL_STAGE, LOCAL_TASK_ROLE_ARN, LOCAL_STATE_MACHINE_ROLE_ARN, type DeployerHandle, type LocalDeployerOptions } from './createDeployer.ts';
export { setDeployer, getDeployer, setContinuation, getContinuation } from './serviceRegistry.ts';
export { TriggerServicePort } from './adapters/TriggerServicePort.ts';
export { RecordingTriggers } from './adapters/RecordingTriggers.ts';
export { LambdaContinuation, type DeploymentContinuationEvent } from './adapters/LambdaContinuation.ts';
export { readDeployerConfig, type DeployerConfig } from './config.ts';
export { DeployError, isDeployError } from './errors.ts';
export { functionName, stateMachineName, logGroupName, projectPrefix } from './names.ts';
export type { DeployerApi, ProjectDescription } from './api.ts';
export type * from './ports.ts';
