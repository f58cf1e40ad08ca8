/**
 * The deployer's operations as the handlers see them (implemented by
 * {@link ./Deployer.ts}). Shapes: shared/src/schemas/deployments.ts.
 */
import type {
  BundleRef,
  BundleUploadUrlResponse,
  DeploymentPlan,
  DeploymentRecord,
  DeployRequest,
  RollbackRequest,
} from '@fluxio/contracts/schemas/deployments';

export type { DeploymentSource, ProjectDescription } from '@fluxio/contracts/schemas/deployments';
import type { DeploymentSource, ProjectDescription } from '@fluxio/contracts/schemas/deployments';

export interface DeployerApi {
  /**
   * The project.py and compiled manifest of a deployment (from its bundle).
   * @throws DeployError 404 `Deploy.NotFound`, 404 `Deploy.NoBundle` (a rollback or destroy record), 404 `Deploy.BundleNotFound`
   */
  source(project: string, deploymentId: string): Promise<DeploymentSource>;
  /** A presigned PUT for the bundle, or `exists: true`. @throws DeployError 413 `Deploy.BundleTooLarge` */
  bundleUploadUrl(project: string, bundle: BundleRef, origin: string): Promise<BundleUploadUrlResponse>;
  /** Dry run: what a deployment of the bundle would do; nothing changes. @throws DeployError 422 `Compile.Failed` */
  plan(project: string, request: DeployRequest): Promise<DeploymentPlan>;
  /**
   * Deploy the bundle (resuming a deployment that died half way).
   * `onStarted` is called with the deployment id once its record exists (the 202 answer names it).
   * @throws DeployError 409 / 422 / 404
   */
  deploy(project: string, request: DeployRequest, options?: { onStarted?: (deploymentId: string) => void }): Promise<DeploymentRecord>;
  /**
   * Start a deployment for a continuation to finish (AWS): compiled, record
   * IN_PROGRESS, lease handed over; the IN_PROGRESS record. @throws DeployError 409 / 422 / 404
   */
  start(project: string, request: DeployRequest): Promise<DeploymentRecord>;
  /** Finish a deployment {@link start} handed over (or whose deployer died) from its checkpoints. @throws DeployError 404 / 409 */
  continueDeployment(project: string, deploymentId: string): Promise<DeploymentRecord>;
  /** One record. @throws DeployError 404 `Deploy.NotFound` */
  get(project: string, deploymentId: string): Promise<DeploymentRecord>;
  /** Records, newest first. */
  list(project: string, options: { limit: number; next?: string }): Promise<{ deployments: DeploymentRecord[]; next?: string }>;
  /** The current deployment and its ARNs. */
  describe(project: string): Promise<ProjectDescription>;
  /** Point the aliases back at the previous (or named) deployment's versions. */
  rollback(project: string, request: RollbackRequest): Promise<DeploymentRecord>;
  /** Delete the project's triggers, state machines and functions; records kept, marked DESTROYED. */
  destroy(project: string): Promise<DeploymentRecord>;
}
