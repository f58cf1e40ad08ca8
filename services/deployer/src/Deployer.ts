/**
 * The deployer (issue 8): deploys a project bundle as Lambda function
 * versions and Step Functions state machine versions behind the alias `live`,
 * through ports only (src/ports.ts), so the same code deploys to AWS and to
 * the local platform.
 *
 * A deployment, per project, idempotent and resumable:
 * 1. the bundle is read from the bundle store and its SHA-256 checked;
 * 2. `project.py` is compiled (same code as `POST /v1/compile`; errors → 422, nothing changed);
 * 3. one function per Task class: created or updated (waited for), a version
 *    published only when the code+configuration hash changed;
 * 4. every first-class state machine: placeholders resolved with the
 *    version-qualified function ARNs and the nested state machines' alias
 *    ARNs, validated, created/updated with `publish: true` (version
 *    description = the deployment id) when it changed; then alias `live` → the version;
 * 5. resources of the previous deployment no longer in the project deleted;
 * 6. triggers handed to the trigger port: the trigger service creates the result topics, schedules and
 *    subscriptions (TriggerServicePort), and the record says what it activated.
 *
 * A per-project lease (with an expiry, so a dead deployer's lease is taken
 * over) keeps two deployments of one project from interleaving (409). Each
 * step is checkpointed in the record: the next deployment of the same bundle
 * resumes a deployment that died half way; one of another bundle supersedes
 * it (the dead one is marked FAILED) and applies every resource again. A
 * deployment that fails (not dies) points the aliases it moved back and is
 * marked FAILED.
 */
import { createHash, randomBytes } from 'node:crypto';
import { HttpError } from '@fluxio/contracts/errors';
import type { CompileResult, Manifest, ManifestStateMachine, ManifestTask } from '@fluxio/contracts/manifest';
import { classifyPlaceholder, substitutePlaceholders } from '@fluxio/contracts/placeholders';
import {
  BUNDLE_TOO_LARGE_HINT,
  LIVE_ALIAS,
  MAX_BUNDLE_BYTES,
  type BundleRef,
  type BundleUploadUrlResponse,
  type DeploymentPlan,
  type DeploymentRecord,
  type DeploymentStep,
  type DeploymentTriggers,
  type DeployRequest,
  type RollbackRequest,
} from '@fluxio/contracts/schemas/deployments';
import { compileRequest, compileSource, type CompileOptions } from '@fluxio/compiler-api';
import { lambdaTaskParameters } from '@fluxio/compiler-api/emit/templates';
import type { DeployerApi, DeploymentSource, ProjectDescription } from './api.ts';
import { bundleNotFound, DeployError, deploymentNotFound, deployInProgress, isDeployError } from './errors.ts';
import {
  codeAndConfigSha256,
  functionZip,
  hashDescription,
  loadTaskRuntime,
  PROCESSOR_HANDLER,
  PROCESSOR_MEMORY_MB,
  PROCESSOR_TIMEOUT_SECONDS,
  processorZip,
  TASK_HANDLER,
  TASK_RUNTIME,
  unzipBundle,
  type ZipFiles,
} from './functionCode.ts';
import { functionName, logGroupName, projectPrefix, stateMachineName } from './names.ts';
import type {
  BundleStore,
  DeploymentRecords,
  FunctionConfig,
  Functions,
  LogGroups,
  StateMachineConfig,
  StateMachines,
  StateMachineState,
  StoredRecord,
  TriggerDeclarations,
  TriggerPort,
} from './ports.ts';

/** `aws`: AWS-only pieces on (logging, tracing, refusal of ecs/codebuild tasks); `local`: the local platform. */
export type DeployerTarget = 'aws' | 'local';

/** Default lease lifetime without renewal, in seconds (15 minutes, Lambda's longest timeout). */
export const DEFAULT_LEASE_SECONDS = 900;

/** Lambda's longest function timeout, in seconds. @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;
/** Lambda memory bounds, MB. @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html */
export const LAMBDA_MIN_MEMORY_MB = 128;
export const LAMBDA_MAX_MEMORY_MB = 10_240;

/** Task services deployed as a zip Lambda function. */
const ZIP_LAMBDA_SERVICES = new Set(['lambda']);
/** Task services whose AWS deployment is a later issue (refused up front on AWS). */
const NOT_YET_ON_AWS = new Set(['ecs', 'ecs:worker', 'codebuild', 'lambda:container', 'lambda:pexpm-runner']);

/** How many task functions are created/updated at once. */
const FUNCTION_CONCURRENCY = 4;

/** The note of recorded-but-inactive triggers. */
export const TRIGGERS_NOT_ACTIVE_NOTE =
  'Recorded only: this deployer has no trigger service (a deployer built without one, as in tests), so @schedule and @subscribe are not active; start executions on the alias ARN yourself.';

/** The note of a dry run's triggers. */
export const PLAN_TRIGGERS_NOTE = 'Dry run: nothing activated; the deployment activates these (result topics for every state machine, schedules, subscriptions).';

/** Thrown by a fault-injection hook to simulate the deployer dying: no cleanup runs, the lease stays until it expires. */
export class SimulatedCrash extends Error {
  override name = 'SimulatedCrash';
}

export interface DeployerOptions {
  target: DeployerTarget;
  /** Resource names `fluxio-<stage>-<project>-…`. */
  stage: string;
  functions: Functions;
  stateMachines: StateMachines;
  records: DeploymentRecords;
  bundles: BundleStore;
  triggers: TriggerPort;
  /** Log groups of the state machines (AWS target). */
  logGroups?: LogGroups;
  /** Execution role of every task function. */
  taskRoleArn: string;
  /** Execution role of every state machine. */
  stateMachineRoleArn: string;
  /** Variables set in every task function (e.g. `FLUXIO_STATE_DATA_URL` on AWS); `FLUXIO_PROJECT` and `FLUXIO_STAGE` are added. */
  taskEnvironment?: Record<string, string>;
  /** Directory of the `fluxio_task` package. */
  taskRuntimeDir?: string;
  /** @default {@link DEFAULT_LEASE_SECONDS} */
  leaseSeconds?: number;
  /** Clock, epoch ms (tests). */
  now?: () => number;
  /** The compiler. @default compileSource (the compile backend: worker threads locally, in-process on Lambda) */
  compile?: (source: string, options: CompileOptions) => Promise<CompileResult> | CompileResult;
  /** Test hook: called after every checkpoint; throw {@link SimulatedCrash} to simulate the deployer dying there. */
  afterCheckpoint?: (step: string, record: DeploymentRecord) => void | Promise<void>;
}

/** What a deployment works from: the compiled project and its code. */
interface Prepared {
  manifest: Manifest;
  /** The bundle's project.py text. */
  source: string;
  manifestSha256: string;
  bundleFiles: ZipFiles;
  /** Task classes deployed as functions. */
  functionTasks: string[];
  /** EventProcessor classes (`manifest.eventProcessors`), each deployed as a function too (issue 9). */
  processorClasses: string[];
  /** Every function of the deployment: the tasks', then the processors'. */
  functionNames: string[];
  /** First-class state machine functions, nested (called) ones before their callers. */
  stateMachineOrder: string[];
  triggers: TriggerDeclarations;
  /** Task classes the SFN API of this target cannot run (local codebuild). */
  localWarnings: string[];
  /** `ecs` / `ecs:worker` tasks deployed locally as Lambda functions, their states rewritten to call them ({@link localStandIn}). */
  localStandIns: string[];
}

/** A new deployment id: `d-` + 9 base-36 digits of epoch ms (sorts by time) + 8 random. */
export function newDeploymentId(now: number): string {
  return `d-${now.toString(36).padStart(9, '0')}${randomBytes(5).toString('hex').slice(0, 8)}`;
}

/** The lease owner of a deployment handed over by {@link Deployer.start}, until its continuation takes it. */
const handOverToken = (deploymentId: string) => `handed-over:${deploymentId}`;

const sha256Hex = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const iso = (ms: number) => new Date(ms).toISOString();

/** The deployer domain. */
export class Deployer implements DeployerApi {
  private readonly now: () => number;
  private readonly leaseMs: number;
  private runtime?: Promise<ZipFiles>;

  constructor(private readonly o: DeployerOptions) {
    this.now = o.now ?? Date.now;
    this.leaseMs = (o.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000;
  }

  private bundleKey = (project: string, sha256: string) => `bundles/${project}/${sha256}.zip`;

  /** @inheritdoc */
  async bundleUploadUrl(project: string, bundle: BundleRef, origin: string): Promise<BundleUploadUrlResponse> {
    this.checkBundleSize(bundle);
    const key = this.bundleKey(project, bundle.sha256);
    const existing = await this.o.bundles.digest(key);
    if (existing && existing.sha256 === bundle.sha256 && existing.sizeBytes === bundle.sizeBytes) return { bundle, exists: true };
    const signed = await this.o.bundles.presign('PUT', key, 15 * 60, origin, bundle.sizeBytes);
    return { bundle, url: signed.url, method: 'PUT', headers: signed.headers, expiresAt: signed.expiresAt };
  }

  private checkBundleSize(bundle: BundleRef): void {
    if (bundle.sizeBytes > MAX_BUNDLE_BYTES)
      throw new DeployError(
        'Deploy.BundleTooLarge',
        413,
        `The bundle is ${bundle.sizeBytes} bytes; the limit is ${MAX_BUNDLE_BYTES} bytes (50 MiB). ${BUNDLE_TOO_LARGE_HINT}`,
        { limitBytes: MAX_BUNDLE_BYTES, sizeBytes: bundle.sizeBytes },
      );
  }

  /** Read, check and compile the bundle; refuse what this target cannot deploy. Changes nothing. */
  private async prepare(project: string, bundle: BundleRef): Promise<Prepared> {
    this.checkBundleSize(bundle);
    const bytes = await this.o.bundles.get(this.bundleKey(project, bundle.sha256));
    if (!bytes) throw bundleNotFound(project, bundle.sha256);
    if (sha256Hex(bytes) !== bundle.sha256 || bytes.length !== bundle.sizeBytes)
      throw new DeployError('Deploy.BundleMismatch', 409, `The stored bundle ${bundle.sha256} does not have that SHA-256 and size; upload it again.`);
    let bundleFiles: ZipFiles;
    try {
      bundleFiles = unzipBundle(bytes);
    } catch (e) {
      throw new DeployError('Deploy.BundleInvalid', 400, `The bundle is not a readable zip (${(e as Error).message}); build it with fluxio deploy.`);
    }
    const projectPy = bundleFiles['project.py'];
    if (!projectPy) throw new DeployError('Deploy.NoProjectPy', 400, 'The bundle has no project.py at its root; fluxio deploy DIR bundles DIR/project.py and the packages beside it.');
    const compile = this.o.compile ?? compileSource;
    let source: string;
    try {
      source = new TextDecoder('utf-8', { fatal: true }).decode(projectPy);
    } catch {
      throw new DeployError('Deploy.InvalidUtf8', 400, 'project.py in the bundle is not valid UTF-8; save it as UTF-8.');
    }
    const manifest = await compileRequest(compile, { source, project });
    const functionTasks: string[] = [];
    const refused: string[] = [];
    const localWarnings: string[] = [];
    const localStandIns: string[] = [];
    for (const [task, t] of Object.entries(manifest.tasks)) {
      if (this.o.target === 'aws' && NOT_YET_ON_AWS.has(t.service)) {
        refused.push(`${task} (service "${t.service}")`);
        continue;
      }
      if (ZIP_LAMBDA_SERVICES.has(t.service) || (this.o.target === 'local' && t.service.startsWith('lambda'))) {
        if (t.run) functionTasks.push(task);
      } else if (this.o.target === 'local' && ((t.service === 'ecs' && t.run) || (t.service === 'ecs:worker' && t.attributes.spec))) {
        // The local platform has no ECS or SQS: these run as local Lambda functions (see localStandIns).
        functionTasks.push(task);
        localStandIns.push(task);
      } else localWarnings.push(`${task} (service "${t.service}")`);
      if (t.run && (t.attributes.timeout > LAMBDA_MAX_TIMEOUT_SECONDS || t.attributes.timeout < 1) && t.service.startsWith('lambda'))
        throw new DeployError('Deploy.InvalidTask', 400, `Task ${task} has timeout = ${t.attributes.timeout}; a Lambda task runs 1 to ${LAMBDA_MAX_TIMEOUT_SECONDS} seconds. Lower it, or use service = "ecs".`, { task });
      if (t.run && (t.attributes.memory < LAMBDA_MIN_MEMORY_MB || t.attributes.memory > LAMBDA_MAX_MEMORY_MB) && t.service.startsWith('lambda'))
        throw new DeployError('Deploy.InvalidTask', 400, `Task ${task} has memory = ${t.attributes.memory}; Lambda accepts ${LAMBDA_MIN_MEMORY_MB} to ${LAMBDA_MAX_MEMORY_MB} MB.`, { task });
    }
    if (refused.length)
      throw new DeployError(
        'Deploy.UnsupportedService',
        400,
        `Deploying ${refused.join(', ')} to AWS is not built yet (a later issue): only service "lambda" tasks deploy to AWS today. ` +
          'Run the project locally (fluxio run, or deploy to the local platform), or change those tasks to service = "lambda".',
        { tasks: refused },
      );
    const firstClass = Object.entries(manifest.stateMachines).filter(([, sm]) => sm.firstClass).map(([fn]) => fn);
    const schedules: DeploymentTriggers['schedules'] = [];
    const subscriptions: DeploymentTriggers['subscriptions'] = [];
    const eventProcessors: Record<string, string> = {};
    for (const fn of firstClass) {
      const sm = manifest.stateMachines[fn]!;
      if (sm.schedule) schedules.push({ stateMachine: fn, expression: sm.schedule.expression, inputData: sm.schedule.input_data, timezone: sm.schedule.timezone ?? null });
      for (const s of sm.subscriptions)
        subscriptions.push({ stateMachine: fn, project: s.project, source: s.state_machine, status: s.status, topicArnImportValue: s.topic_arn_import_value ?? null });
      const processor = eventProcessorOf(sm);
      if (processor) eventProcessors[fn] = processor;
    }
    return {
      manifest,
      source,
      manifestSha256: sha256Hex(JSON.stringify(manifest)),
      bundleFiles,
      functionTasks: functionTasks.sort(),
      processorClasses: Object.keys(manifest.eventProcessors ?? {}).sort(),
      functionNames: [...functionTasks, ...Object.keys(manifest.eventProcessors ?? {}).sort()],
      stateMachineOrder: this.nestedFirst(manifest, firstClass),
      triggers: { schedules, subscriptions, ...(Object.keys(eventProcessors).length ? { eventProcessors } : {}) },
      localWarnings,
      localStandIns,
    };
  }

  /** First-class state machines ordered so that each comes after the ones it starts (`${StateMachine<fn>}`). */
  private nestedFirst(manifest: Manifest, firstClass: string[]): string[] {
    const order: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (fn: string) => {
      if (state.get(fn) === 'done') return;
      if (state.get(fn) === 'visiting') throw new DeployError('Deploy.NestingCycle', 400, `State machine ${fn} starts itself through nested state machines; a deployment needs them acyclic.`);
      state.set(fn, 'visiting');
      for (const name of manifest.stateMachines[fn]?.substitutions ?? []) {
        const t = classifyPlaceholder(name);
        if (t.kind === 'stateMachine' && firstClass.includes(t.name) && t.name !== fn) visit(t.name);
      }
      state.set(fn, 'done');
      order.push(fn);
    };
    for (const fn of [...firstClass].sort()) visit(fn);
    return order;
  }

  private functionConfig(project: string, task: string, t: ManifestTask, manifest: Manifest): Omit<FunctionConfig, 'description'> {
    return {
      functionName: functionName(this.o.stage, project, task),
      runtime: TASK_RUNTIME,
      handler: TASK_HANDLER,
      roleArn: this.o.taskRoleArn,
      // Local stand-ins of ecs / ecs:worker tasks fit into Lambda's bounds (on AWS only lambda tasks get here, checked in prepare).
      timeoutSeconds: lambdaTimeoutSeconds(t.attributes.timeout, taskStateTimeouts(manifest).get(task)),
      memoryMb: Math.min(Math.max(t.attributes.memory, LAMBDA_MIN_MEMORY_MB), LAMBDA_MAX_MEMORY_MB),
      environment: { ...this.o.taskEnvironment, FLUXIO_PROJECT: project, FLUXIO_STAGE: this.o.stage },
      tracing: this.o.target === 'aws',
    };
  }

  private async functionCode(prepared: Prepared, project: string, task: string) {
    const processor = prepared.manifest.eventProcessors?.[task];
    if (processor && !prepared.manifest.tasks[task]) {
      const runtime = await (this.runtime ??= loadTaskRuntime(this.o.taskRuntimeDir));
      const zip = processorZip(prepared.bundleFiles, runtime, processor, prepared.manifest.exceptions);
      const base: Omit<FunctionConfig, 'description'> = {
        functionName: functionName(this.o.stage, project, task),
        runtime: TASK_RUNTIME,
        handler: PROCESSOR_HANDLER,
        roleArn: this.o.taskRoleArn,
        timeoutSeconds: PROCESSOR_TIMEOUT_SECONDS,
        memoryMb: PROCESSOR_MEMORY_MB,
        environment: { ...this.o.taskEnvironment, FLUXIO_PROJECT: project, FLUXIO_STAGE: this.o.stage },
        tracing: this.o.target === 'aws',
      };
      const sha = codeAndConfigSha256(zip, base);
      return { zip, config: { ...base, description: hashDescription(sha) } as FunctionConfig, sha };
    }
    const declared = prepared.manifest.tasks[task]!;
    const t: ManifestTask = declared.service === 'ecs:worker' ? { ...declared, run: { source: workerRunSource(declared.attributes.spec), imports: [], line: 1 } } : declared;
    const runtime = await (this.runtime ??= loadTaskRuntime(this.o.taskRuntimeDir));
    const zip = functionZip(prepared.bundleFiles, runtime, t, prepared.manifest.exceptions);
    const base = this.functionConfig(project, task, t, prepared.manifest);
    const sha = codeAndConfigSha256(zip, base);
    return { zip, config: { ...base, description: hashDescription(sha) } as FunctionConfig, sha };
  }

  /** The definition of `fn` with its placeholders resolved. @throws DeployError for a placeholder with no deployed value */
  private resolveDefinition(prepared: Prepared, project: string, fn: string, functionArns: Record<string, string>, aliasArns: Record<string, string>): string {
    const sm = prepared.manifest.stateMachines[fn]!;
    const unresolved: string[] = [];
    const source = prepared.localStandIns.length ? localStandIns(sm.definition, new Set(prepared.localStandIns)) : sm.definition;
    const definition = substitutePlaceholders(source, (name) => {
      const t = classifyPlaceholder(name);
      if (t.kind === 'lambda' && functionArns[t.task]) return functionArns[t.task]!;
      if (t.kind === 'stateMachine' && aliasArns[t.name]) return aliasArns[t.name]!;
      if (this.o.target === 'local') return this.localValue(project, name);
      unresolved.push(name);
      return `\${${name}}`;
    });
    if (unresolved.length)
      throw new DeployError('Deploy.UnresolvedPlaceholder', 400, `State machine ${fn} uses ${unresolved.map((n) => '${' + n + '}').join(', ')}, which the deployer cannot resolve on AWS yet.`, { placeholders: unresolved });
    return JSON.stringify(definition);
  }

  /** Local stand-ins of resources the local platform has no API for (ecs, queues, codebuild): such states fail locally with Fluxio.UnsupportedLocally or wait for a task token. */
  private localValue(project: string, name: string): string {
    const t = classifyPlaceholder(name);
    const base = `fluxio-${this.o.stage}-${project}-`;
    switch (t.kind) {
      case 'ecsTaskDefinition':
        return `arn:aws:ecs:us-east-1:000000000000:task-definition/${base}${t.task}:1`;
      case 'queue':
        return `https://sqs.us-east-1.amazonaws.com/000000000000/${base}${t.task}.fifo`;
      case 'codebuild':
        return `${base}${t.task}`;
      case 'lambda':
        return `arn:aws:lambda:us-east-1:000000000000:function:${functionName(this.o.stage, project, t.task)}`;
      default:
        if (name === 'ECSClusterArn') return 'arn:aws:ecs:us-east-1:000000000000:cluster/fluxio-local';
        return `local-${name}`;
    }
  }

  private async stateMachineConfig(project: string, fn: string, definition: string): Promise<StateMachineConfig> {
    const config: StateMachineConfig = { name: stateMachineName(this.o.stage, project, fn), definition, roleArn: this.o.stateMachineRoleArn, tracing: false };
    if (this.o.target === 'aws') {
      if (!this.o.logGroups) throw new Error('The aws target needs a LogGroups adapter.');
      const logGroupArn = await this.o.logGroups.ensure(logGroupName(this.o.stage, project, fn));
      config.logging = { logGroupArn, level: 'ALL', includeExecutionData: true };
      config.tracing = true;
    }
    return config;
  }

  private static sameState(a: StateMachineState, b: StateMachineConfig): boolean {
    const canon = (d: string) => JSON.stringify(JSON.parse(d));
    return (
      canon(a.definition) === canon(b.definition) &&
      a.roleArn === b.roleArn &&
      a.tracing === b.tracing &&
      (a.logging?.logGroupArn ?? '') === (b.logging?.logGroupArn ?? '') &&
      (a.logging?.level ?? 'OFF') === (b.logging?.level ?? 'OFF')
    );
  }

  // ---------------------------------------------------------------- plan

  /** @inheritdoc */
  async plan(project: string, request: DeployRequest): Promise<DeploymentPlan> {
    const prepared = await this.prepare(project, request.bundle);
    const plan: DeploymentPlan['plan'] = { create: [], update: [], publish: [], delete: [], unchanged: [] };
    const functionArns: Record<string, string> = {};
    const changedFunctions = new Set<string>();
    for (const task of prepared.functionNames) {
      const { config } = await this.functionCode(prepared, project, task);
      const existing = await this.o.functions.describe(config.functionName);
      const id = `function:${task}`;
      if (!existing) {
        plan.create.push(id);
        plan.publish.push(id);
        changedFunctions.add(task);
      } else if (existing.description !== config.description) {
        plan.update.push(id);
        plan.publish.push(id);
        changedFunctions.add(task);
      } else {
        const version = await this.o.functions.findVersion(config.functionName, config.description);
        if (version) {
          plan.unchanged.push(id);
          functionArns[task] = `${existing.functionArn}:${version}`;
        } else {
          plan.publish.push(id);
          changedFunctions.add(task);
        }
      }
    }
    const machines = await this.o.stateMachines.list(projectPrefix(this.o.stage, project));
    const current = await this.currentRecord(project);
    const aliasArns: Record<string, string> = {};
    const changedMachines = new Set<string>();
    for (const fn of prepared.stateMachineOrder) {
      const name = stateMachineName(this.o.stage, project, fn);
      const arn = machines.get(name);
      const id = `stateMachine:${fn}`;
      if (arn) aliasArns[fn] = `${arn}:${LIVE_ALIAS}`;
      if (!arn) {
        plan.create.push(id, `alias:${fn}`);
        plan.publish.push(id);
        changedMachines.add(fn);
        continue;
      }
      const uses = prepared.manifest.stateMachines[fn]!.substitutions.map(classifyPlaceholder);
      const dependsOnChange = uses.some((t) => (t.kind === 'lambda' && changedFunctions.has(t.task)) || (t.kind === 'stateMachine' && changedMachines.has(t.name)));
      let latest: Awaited<ReturnType<StateMachines['latestVersion']>>;
      if (!dependsOnChange) {
        const definition = this.resolveDefinition(prepared, project, fn, functionArns, aliasArns);
        latest = await this.o.stateMachines.latestVersion(arn);
        const config = this.o.target === 'aws' ? { name, definition, roleArn: this.o.stateMachineRoleArn, tracing: true, logging: latest?.state.logging } : { name, definition, roleArn: this.o.stateMachineRoleArn, tracing: false };
        if (latest && Deployer.sameState(latest.state, config)) {
          plan.unchanged.push(id);
          const target = await this.o.stateMachines.aliasTarget(`${arn}:${LIVE_ALIAS}`);
          if (target === latest.versionArn) plan.unchanged.push(`alias:${fn}`);
          else plan[target === undefined ? 'create' : 'update'].push(`alias:${fn}`);
          continue;
        }
      }
      plan.update.push(id, `alias:${fn}`);
      plan.publish.push(id);
      changedMachines.add(fn);
    }
    if (current) {
      for (const fn of Object.keys(current.stateMachines)) if (!prepared.stateMachineOrder.includes(fn)) plan.delete.push(`stateMachine:${fn}`);
      for (const task of Object.keys(current.functions)) if (!prepared.functionNames.includes(task)) plan.delete.push(`function:${task}`);
    }
    return { plan, triggers: { ...prepared.triggers, active: false, note: PLAN_TRIGGERS_NOTE } };
  }

  // ---------------------------------------------------------------- deploy

  /** Lease owner tokens of the operations this instance runs, by deployment id. */
  private readonly owners = new Map<string, string>();

  /**
   * Take the project's lease for a new operation. A lease whose holder died
   * (expired) is taken over; the holder's IN_PROGRESS record is returned as
   * `dead`, and when `resumable(dead)` the operation continues under its id.
   * @throws DeployError 409 `Deploy.InProgress` while another operation holds it
   */
  private async lease(project: string, newId: string, resumable?: (dead: StoredRecord) => boolean): Promise<{ deploymentId: string; dead?: StoredRecord; resume: boolean }> {
    const now = this.now();
    const holder = await this.o.records.getLease(project);
    if (holder && holder.expiresAt >= now) throw deployInProgress(project, holder.deploymentId, iso(holder.expiresAt));
    const found = holder ? await this.o.records.get(project, holder.deploymentId) : undefined;
    const dead = found?.status === 'IN_PROGRESS' ? found : undefined;
    const resume = dead !== undefined && (resumable?.(dead) ?? false);
    const deploymentId = resume ? dead!.deploymentId : newId;
    const owner = randomBytes(12).toString('hex');
    const got = await this.o.records.acquireLease(project, { deploymentId, owner, expiresAt: now + this.leaseMs }, now);
    if (!got.granted) throw deployInProgress(project, got.holder.deploymentId, iso(got.holder.expiresAt));
    this.owners.set(deploymentId, owner);
    return { deploymentId, dead, resume };
  }

  /**
   * Take the lease {@link start} handed over for `deploymentId`; its record
   * as `dead` to resume, or `undefined` when it was not handed over (then the
   * ordinary lease path applies: an expired lease of it is taken over).
   */
  private async takeHandedOver(project: string, deploymentId: string): Promise<{ deploymentId: string; dead: StoredRecord; resume: true } | undefined> {
    const owner = randomBytes(12).toString('hex');
    if (!(await this.o.records.handOverLease(project, handOverToken(deploymentId), { deploymentId, owner, expiresAt: this.now() + this.leaseMs }))) return undefined;
    this.owners.set(deploymentId, owner);
    const dead = await this.o.records.get(project, deploymentId);
    if (dead?.status === 'IN_PROGRESS') return { deploymentId, dead, resume: true };
    await this.release(project, deploymentId);
    return undefined;
  }

  private ownerOf(deploymentId: string): string {
    const owner = this.owners.get(deploymentId);
    if (!owner) throw new Error(`No lease held for ${deploymentId}.`);
    return owner;
  }

  private async release(project: string, deploymentId: string): Promise<void> {
    const owner = this.owners.get(deploymentId);
    this.owners.delete(deploymentId);
    if (owner) await this.o.records.releaseLease(project, owner);
  }

  private async checkpoint(record: StoredRecord, step: string, status: DeploymentStep['status'] = 'DONE', detail?: string): Promise<void> {
    record.steps.push({ name: step, status, at: iso(this.now()), ...(detail ? { detail } : {}) });
    record.revision += 1;
    await this.o.records.put(record);
    if (!(await this.o.records.renewLease(record.project, { deploymentId: record.deploymentId, owner: this.ownerOf(record.deploymentId), expiresAt: this.now() + this.leaseMs })))
      throw new DeployError('Deploy.LeaseLost', 409, `Deployment ${record.deploymentId} lost the lease of project ${record.project} (it ran past its expiry and another deployment took over); it stopped.`);
    await this.o.afterCheckpoint?.(step, structuredClone(record));
  }

  /** A new IN_PROGRESS record of operation `kind` (not stored yet): `fields` between its header and its steps. */
  private newRecord(project: string, deploymentId: string, kind: StoredRecord['kind'], fields: Omit<StoredRecord, 'project' | 'deploymentId' | 'status' | 'kind' | 'stage' | 'createdAt' | 'steps' | 'revision'>): StoredRecord {
    return { project, deploymentId, status: 'IN_PROGRESS', kind, stage: this.o.stage, createdAt: iso(this.now()), ...fields, steps: [], revision: 0 };
  }

  private done = (record: StoredRecord, step: string) => record.steps.some((s) => s.name === step && s.status === 'DONE');

  private async currentRecord(project: string): Promise<StoredRecord | undefined> {
    const id = await this.o.records.getCurrent(project);
    return id ? this.o.records.get(project, id) : undefined;
  }

  /** @inheritdoc */
  /** Operations running now (deploy, rollback, destroy), for {@link drain}. */
  private readonly running = new Set<Promise<unknown>>();

  private track<T>(operation: Promise<T>): Promise<T> {
    this.running.add(operation);
    void operation.then(
      () => this.running.delete(operation),
      () => this.running.delete(operation),
    );
    return operation;
  }

  /** Wait for the operations running now (the local platform calls it before it stops: a 202 deployment finishes). */
  async drain(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  async deploy(project: string, request: DeployRequest, options: { onStarted?: (deploymentId: string) => void } = {}): Promise<DeploymentRecord> {
    return this.track(this.runDeploy(project, request, options));
  }

  /**
   * Start a deployment and hand it over to a continuation (AWS: the deploy
   * function answers 202 and the deployer worker goes on): the bundle is
   * compiled (422 `Compile.Failed`, 409 `Deploy.InProgress` as for
   * {@link deploy}), the record written IN_PROGRESS with its `compile`
   * checkpoint, and the lease handed to the hand-over token of the deployment,
   * which {@link continueDeployment} takes. Nothing else runs here.
   * @returns the IN_PROGRESS record
   */
  start(project: string, request: DeployRequest): Promise<DeploymentRecord> {
    return this.track(this.runDeploy(project, request, { handOver: true }));
  }

  /**
   * Go on with deployment `deploymentId` from its checkpoints (the same path
   * as a deploy resuming a dead deployment of the same bundle): after
   * {@link start} handed it over, or once the deployer running it died (its
   * lease expired). A deployment already finished is returned as it is
   * (a repeated continuation event is a no-op).
   * @throws DeployError 404 `Deploy.NotFound`, 409 `Deploy.InProgress` (another continuation runs it)
   */
  async continueDeployment(project: string, deploymentId: string): Promise<DeploymentRecord> {
    const record = await this.o.records.get(project, deploymentId);
    if (!record) throw deploymentNotFound(project, deploymentId);
    if (record.status !== 'IN_PROGRESS' || record.kind !== 'deploy' || !record.bundle) return strip(record);
    return this.track(this.runDeploy(project, { bundle: record.bundle }, { continuing: deploymentId }));
  }

  private async runDeploy(
    project: string,
    request: DeployRequest,
    options: { onStarted?: (deploymentId: string) => void; handOver?: boolean; continuing?: string },
  ): Promise<DeploymentRecord> {
    const continuing = options.continuing;
    const claimed = continuing ? await this.takeHandedOver(project, continuing) : undefined;
    let prepared: Prepared;
    try {
      prepared = await this.prepare(project, request.bundle);
    } catch (e) {
      // A handed-over deployment whose bundle no longer compiles here is recorded FAILED (its lease released), not left IN_PROGRESS.
      if (claimed) await this.fail(claimed.dead, e, []).catch(() => undefined);
      throw e;
    }
    const { deploymentId: id, dead, resume } =
      claimed ?? (await this.lease(project, newDeploymentId(this.now()), (d) => d.kind === 'deploy' && d.bundle?.sha256 === request.bundle.sha256 && (!continuing || d.deploymentId === continuing)));
    if (continuing && !resume) {
      // Nothing of it left to continue (it finished, or another deployment replaced it): give the fresh lease back.
      await this.release(project, id);
      return this.get(project, continuing);
    }
    let record: StoredRecord;
    if (resume) {
      // Resume the deployment that died half way (or was handed over): same bundle, so its checkpoints still hold.
      record = dead!;
      await this.checkpoint(record, 'resume', 'DONE', claimed ? 'continued by the deployer worker after the request was answered' : 'resumed by a new call after the deployer stopped half way');
    } else {
      if (dead) await this.supersede(dead, id);
      const current = await this.currentRecord(project);
      record = this.newRecord(project, id, 'deploy', {
        ...(request.description ? { description: request.description } : {}),
        bundle: request.bundle,
        manifestSha256: prepared.manifestSha256,
        stateMachines: {},
        functions: {},
        ...(current ? { previousDeploymentId: current.deploymentId } : {}),
      });
      await this.o.records.put(record);
      await this.checkpoint(record, 'compile', 'DONE', `${Object.keys(prepared.manifest.tasks).length} tasks, ${prepared.stateMachineOrder.length} state machines`);
    }
    options.onStarted?.(record.deploymentId);
    if (options.handOver) {
      const owner = this.ownerOf(record.deploymentId);
      this.owners.delete(record.deploymentId);
      if (!(await this.o.records.handOverLease(project, owner, { deploymentId: record.deploymentId, owner: handOverToken(record.deploymentId), expiresAt: this.now() + this.leaseMs })))
        throw new DeployError('Deploy.LeaseLost', 409, `Deployment ${record.deploymentId} lost the lease of project ${project} before it was handed over; deploy again.`);
      return strip(record);
    }
    if (prepared.localWarnings.length && !this.done(record, 'warnings'))
      await this.checkpoint(
        record,
        'warnings',
        'SKIPPED',
        `No function for ${prepared.localWarnings.join(', ')}: CodeBuild tasks do not run locally (their states fail with Fluxio.UnsupportedLocally); deploy to AWS once CodeBuild deployment lands.`,
      );
    if (prepared.localStandIns.length && !this.done(record, 'localStandIns'))
      await this.checkpoint(
        record,
        'localStandIns',
        'DONE',
        `Local only: ${prepared.localStandIns.join(', ')} (ecs / ecs:worker) run as local Lambda functions; their states call the function instead of ecs:runTask / sqs:sendMessage.waitForTaskToken (the local platform has no ECS or SQS).`,
      );
    const moved: string[] = [];
    try {
      await this.apply(project, prepared, record, moved);
    } catch (e) {
      if (e instanceof SimulatedCrash) throw e;
      await this.fail(record, e, moved).catch(() => undefined);
      if (isDeployError(e) || e instanceof HttpError) throw e;
      throw new DeployError('Deploy.Failed', 502, `Deployment ${record.deploymentId} failed and its aliases were pointed back: ${(e as Error).message}`, { deploymentId: record.deploymentId });
    }
    return strip(record);
  }

  /**
   * Mark a deployment that died FAILED, its aliases pointed back at the
   * previous deployment's versions first (so nothing stays half applied if
   * the operation taking over stops before moving them itself).
   */
  private async supersede(dead: StoredRecord, by: string): Promise<void> {
    await this.pointBack(dead, []);
    dead.status = 'FAILED';
    dead.finishedAt = iso(this.now());
    dead.error = { code: 'Deploy.Interrupted', message: `The deployer stopped half way; deployment ${by} of another bundle superseded it and applied every resource again.` };
    dead.revision += 1;
    await this.o.records.put(dead);
  }

  private async apply(project: string, prepared: Prepared, record: StoredRecord, moved: string[]): Promise<void> {
    // 3. Task functions, a few at a time; each checkpointed.
    const pending = prepared.functionNames.filter((task) => !this.done(record, `function:${task}`));
    let chain = Promise.resolve();
    let stopped = false;
    const worker = async () => {
      for (let task = pending.shift(); task !== undefined && !stopped; task = pending.shift()) {
        const { zip, config, sha } = await this.functionCode(prepared, project, task);
        const { functionArn, version, action } = await this.ensureFunction(config, zip);
        record.functions[task] = { functionArn, version, codeSha256: sha };
        await (chain = chain.then(() => this.checkpoint(record, `function:${task}`, 'DONE', action)));
      }
    };
    const workers = Array.from({ length: Math.min(FUNCTION_CONCURRENCY, pending.length) }, () =>
      worker().catch((e: unknown) => {
        stopped = true; // the other workers take no further task
        throw e;
      }),
    );
    const settled = await Promise.allSettled(workers);
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    await chain;
    // 4. State machines, nested ones first (their alias ARNs go into their callers).
    const functionArns = Object.fromEntries(Object.entries(record.functions).map(([task, f]) => [task, `${f.functionArn}:${f.version}`]));
    const machines = await this.o.stateMachines.list(projectPrefix(this.o.stage, project));
    const aliasArns: Record<string, string> = {};
    for (const fn of prepared.stateMachineOrder) {
      const existingArn = machines.get(stateMachineName(this.o.stage, project, fn));
      if (existingArn) aliasArns[fn] = `${existingArn}:${LIVE_ALIAS}`;
      if (this.done(record, `stateMachine:${fn}`)) {
        aliasArns[fn] = `${record.stateMachines[fn]!.stateMachineArn}:${LIVE_ALIAS}`;
        continue;
      }
      const definition = this.resolveDefinition(prepared, project, fn, functionArns, aliasArns);
      const config = await this.stateMachineConfig(project, fn, definition);
      let stateMachineArn = existingArn;
      let versionArn: string;
      let action: string;
      const latest = stateMachineArn ? await this.o.stateMachines.latestVersion(stateMachineArn) : undefined;
      if (stateMachineArn && latest && Deployer.sameState(latest.state, config)) {
        // Already published (and validated) as it is: no new version.
        versionArn = latest.versionArn;
        action = 'unchanged';
      } else {
        const diagnostics = await this.o.stateMachines.validate(definition);
        if (diagnostics.length)
          throw new DeployError('Deploy.InvalidDefinition', 422, `State machine ${fn}: ValidateStateMachineDefinition found ${diagnostics.map((d) => `${d.code} ${d.message}`).join('; ')}.`, { diagnostics });
        if (!stateMachineArn) {
          ({ stateMachineArn, versionArn } = await this.o.stateMachines.create(config, record.deploymentId));
          action = 'created';
        } else {
          ({ versionArn } = await this.o.stateMachines.update(stateMachineArn, config, record.deploymentId));
          action = 'updated';
        }
      }
      aliasArns[fn] = `${stateMachineArn}:${LIVE_ALIAS}`;
      record.stateMachines[fn] = { stateMachineArn, versionArn, aliasArn: aliasArns[fn]! };
      await this.checkpoint(record, `stateMachine:${fn}`, 'DONE', `${action}: ${versionArn}`);
    }
    // Alias `live` → the new versions.
    for (const fn of prepared.stateMachineOrder) {
      if (this.done(record, `alias:${fn}`)) continue;
      const sm = record.stateMachines[fn]!;
      moved.push(fn);
      await this.o.stateMachines.pointAlias(sm.stateMachineArn, LIVE_ALIAS, sm.versionArn, `deployment ${record.deploymentId}`);
      await this.checkpoint(record, `alias:${fn}`, 'DONE', sm.versionArn);
    }
    // 5. What the previous deployment had and this one does not.
    if (!this.done(record, 'delete')) {
      const previous = record.previousDeploymentId ? await this.o.records.get(project, record.previousDeploymentId) : undefined;
      const gone: string[] = [];
      for (const [fn, sm] of Object.entries(previous?.stateMachines ?? {})) {
        if (record.stateMachines[fn]) continue;
        await this.o.stateMachines.delete(sm.stateMachineArn);
        gone.push(`stateMachine:${fn}`);
      }
      for (const task of Object.keys(previous?.functions ?? {})) {
        if (record.functions[task]) continue;
        await this.o.functions.delete(functionName(this.o.stage, project, task));
        gone.push(`function:${task}`);
      }
      await this.checkpoint(record, 'delete', 'DONE', gone.length ? gone.join(', ') : 'nothing to delete');
    }
    // 6. Triggers.
    if (!this.done(record, 'triggers')) {
      const { active, note, topics } = await this.o.triggers.apply(project, { ...prepared.triggers, stateMachines: triggerTargets(record, prepared.triggers.eventProcessors) });
      record.triggers = { ...prepared.triggers, active, note, ...(topics ? { topics } : {}) };
      await this.checkpoint(record, 'triggers', 'DONE', note);
    }
    record.status = 'SUCCEEDED';
    record.finishedAt = iso(this.now());
    record.revision += 1;
    await this.o.records.put(record);
    await this.o.records.setCurrent(project, record.deploymentId);
    await this.release(project, record.deploymentId);
  }

  /** A failed deployment: aliases it moved pointed back at the previous deployment's versions, record FAILED, lease released. */
  private async fail(record: StoredRecord, e: unknown, moved: string[]): Promise<void> {
    await this.pointBack(record, moved);
    record.status = 'FAILED';
    record.finishedAt = iso(this.now());
    const err = e as { code?: string; message?: string };
    record.error = { code: typeof err.code === 'string' ? err.code : 'Deploy.Failed', message: String(err.message ?? e) };
    record.revision += 1;
    await this.o.records.put(record);
    await this.release(record.project, record.deploymentId);
  }

  /** Point the aliases `record` moved (its `alias:` steps, and `moved`) back at its previous deployment's versions. */
  private async pointBack(record: StoredRecord, moved: string[]): Promise<void> {
    const previous = record.previousDeploymentId ? await this.o.records.get(record.project, record.previousDeploymentId) : undefined;
    const movedAll = new Set([...moved, ...record.steps.filter((st) => st.name.startsWith('alias:') && st.status === 'DONE').map((st) => st.name.slice(6))]);
    for (const fn of movedAll) {
      const back = previous?.stateMachines[fn];
      if (back) await this.o.stateMachines.pointAlias(back.stateMachineArn, LIVE_ALIAS, back.versionArn, `rolled back from ${record.deploymentId}`);
    }
  }

  /** Create or update one function; publish only when its code+config hash changed. */
  private async ensureFunction(config: FunctionConfig, zip: Uint8Array): Promise<{ functionArn: string; version: string; action: string }> {
    const existing = await this.o.functions.describe(config.functionName);
    if (!existing) {
      const { functionArn } = await this.o.functions.create(config, zip);
      const { version } = await this.o.functions.publish(config.functionName, config.description);
      return { functionArn, version, action: `created, published version ${version}` };
    }
    if (existing.description === config.description) {
      const version = await this.o.functions.findVersion(config.functionName, config.description);
      if (version) return { functionArn: existing.functionArn, version, action: `unchanged (version ${version})` };
      const published = await this.o.functions.publish(config.functionName, config.description);
      return { functionArn: existing.functionArn, version: published.version, action: `published version ${published.version}` };
    }
    await this.o.functions.update(config, zip);
    const { version } = await this.o.functions.publish(config.functionName, config.description);
    return { functionArn: existing.functionArn, version, action: `updated, published version ${version}` };
  }

  // ---------------------------------------------------------------- reads

  /** @inheritdoc */
  async get(project: string, deploymentId: string): Promise<DeploymentRecord> {
    const record = await this.o.records.get(project, deploymentId);
    if (!record) throw deploymentNotFound(project, deploymentId);
    return strip(record);
  }

  /** @inheritdoc */
  async source(project: string, deploymentId: string): Promise<DeploymentSource> {
    const record = await this.get(project, deploymentId);
    if (!record.bundle)
      throw new DeployError('Deploy.NoBundle', 404, `Deployment ${deploymentId} of ${project} is a ${record.kind} and has no bundle; ask for the deployment it restored (${record.rolledBackTo ?? 'rolledBackTo'}) or another deploy.`);
    const prepared = await this.prepare(project, record.bundle);
    return { project, deploymentId, path: 'project.py', source: prepared.source, manifest: prepared.manifest };
  }

  /** @inheritdoc */
  async list(project: string, options: { limit: number; next?: string }) {
    const { records, next } = await this.o.records.list(project, options.limit, options.next);
    return { deployments: records.map(strip), ...(next ? { next } : {}) };
  }

  /** @inheritdoc */
  async describe(project: string): Promise<ProjectDescription> {
    const current = await this.currentRecord(project);
    return { project, currentDeployment: current ? strip(current) : null, stateMachines: current?.stateMachines ?? {} };
  }

  // ---------------------------------------------------------------- rollback

  /**
   * Point every alias back at the versions of `request.toDeploymentId`, or by
   * default of the newest earlier successful deployment whose versions differ
   * from the current ones (an unchanged redeploy is skipped); its triggers are
   * applied again. The rolled-back deployment is marked ROLLED_BACK.
   * @throws DeployError 404 `Deploy.NothingToRollBack` / `Deploy.NotFound`, 409 `Deploy.CannotRollBack` / `Deploy.InProgress`
   */
  rollback(project: string, request: RollbackRequest): Promise<DeploymentRecord> {
    return this.track(this.runRollback(project, request));
  }

  private async runRollback(project: string, request: RollbackRequest): Promise<DeploymentRecord> {
    const current = await this.currentRecord(project);
    if (!current) throw new DeployError('Deploy.NothingToRollBack', 404, `Project ${project} has no current deployment to roll back (never deployed, or destroyed).`);
    const effective = current.kind === 'rollback' && current.rolledBackTo ? current.rolledBackTo : current.deploymentId;
    let target: StoredRecord | undefined;
    if (request.toDeploymentId) {
      target = await this.o.records.get(project, request.toDeploymentId);
      if (!target) throw deploymentNotFound(project, request.toDeploymentId);
      if (target.kind !== 'deploy' || (target.status !== 'SUCCEEDED' && target.status !== 'ROLLED_BACK'))
        throw new DeployError('Deploy.CannotRollBack', 409, `Deployment ${target.deploymentId} is a ${target.kind} with status ${target.status}; roll back to a deployment that succeeded.`);
    } else {
      for (let next: string | undefined, found = false; !found; ) {
        const page = await this.o.records.list(project, 100, next);
        for (const r of page.records) {
          if (r.deploymentId >= effective) continue;
          // Redeploys of unchanged code share the current versions: rolling back to one would change nothing.
          if (sameVersions(r, current)) continue;
          if (r.kind === 'deploy' && (r.status === 'SUCCEEDED' || r.status === 'ROLLED_BACK')) {
            target = r;
            found = true;
            break;
          }
        }
        next = page.next;
        if (!next) break;
      }
      if (!target) throw new DeployError('Deploy.NothingToRollBack', 404, `Project ${project} has no successful deployment before ${effective} to roll back to.`);
    }
    const { deploymentId: id, dead } = await this.lease(project, newDeploymentId(this.now()));
    if (dead) await this.supersede(dead, id);
    const record = this.newRecord(project, id, 'rollback', {
      ...(target.bundle ? { bundle: target.bundle } : {}),
      ...(target.manifestSha256 ? { manifestSha256: target.manifestSha256 } : {}),
      stateMachines: target.stateMachines,
      functions: target.functions,
      previousDeploymentId: current.deploymentId,
      rolledBackTo: target.deploymentId,
    });
    await this.o.records.put(record);
    const moved: string[] = [];
    try {
      const machines = await this.o.stateMachines.list(projectPrefix(this.o.stage, project));
      const missing = Object.keys(target.stateMachines).filter((fn) => !machines.has(stateMachineName(this.o.stage, project, fn)));
      for (const task of Object.keys(target.functions))
        if (!(await this.o.functions.describe(functionName(this.o.stage, project, task)))) missing.push(`function ${task}`);
      if (missing.length)
        throw new DeployError('Deploy.CannotRollBack', 409, `Deployment ${target.deploymentId}'s ${missing.join(', ')} were deleted since; deploy that bundle again instead.`, { missing });
      for (const [fn, sm] of Object.entries(target.stateMachines)) {
        moved.push(fn);
        await this.o.stateMachines.pointAlias(sm.stateMachineArn, LIVE_ALIAS, sm.versionArn, `rollback ${id} to ${target.deploymentId}`);
        await this.checkpoint(record, `alias:${fn}`, 'DONE', sm.versionArn);
      }
      const triggers = target.triggers ?? { schedules: [], subscriptions: [], active: false, note: TRIGGERS_NOT_ACTIVE_NOTE };
      const { active: _a, note: _n, topics: _t, ...declarations } = triggers;
      const { active, note, topics } = await this.o.triggers.apply(project, { ...declarations, stateMachines: triggerTargets(target, declarations.eventProcessors) });
      record.triggers = { ...declarations, active, note, ...(topics ? { topics } : {}) };
      await this.checkpoint(record, 'triggers', 'DONE', note);
      record.status = 'SUCCEEDED';
      record.finishedAt = iso(this.now());
      record.revision += 1;
      await this.o.records.put(record);
      if (current.kind === 'deploy') {
        current.status = 'ROLLED_BACK';
        current.revision += 1;
        await this.o.records.put(current);
      }
      await this.o.records.setCurrent(project, id);
      await this.release(project, id);
    } catch (e) {
      if (e instanceof SimulatedCrash) throw e;
      await this.fail(record, e, moved).catch(() => undefined);
      throw e;
    }
    return strip(record);
  }

  // ---------------------------------------------------------------- destroy

  /** @inheritdoc */
  destroy(project: string): Promise<DeploymentRecord> {
    return this.track(this.runDestroy(project));
  }

  private async runDestroy(project: string): Promise<DeploymentRecord> {
    const { deploymentId: id, dead } = await this.lease(project, newDeploymentId(this.now()));
    if (dead) await this.supersede(dead, id);
    const current = await this.currentRecord(project);
    const record = this.newRecord(project, id, 'destroy', {
      stateMachines: {},
      functions: {},
      ...(current ? { previousDeploymentId: current.deploymentId } : {}),
    });
    await this.o.records.put(record);
    try {
      // Every resource any deployment of the project made (names are per project; a prefix could match another project's).
      const smNames = new Set<string>();
      const fnNames = new Set<string>();
      const all: StoredRecord[] = [];
      for (let next: string | undefined; ; ) {
        const page = await this.o.records.list(project, 100, next);
        all.push(...page.records);
        next = page.next;
        if (!next) break;
      }
      for (const r of all) {
        for (const fn of Object.keys(r.stateMachines)) smNames.add(stateMachineName(this.o.stage, project, fn));
        for (const task of Object.keys(r.functions)) fnNames.add(functionName(this.o.stage, project, task));
      }
      // Also what a deployment that died before its checkpoint created: `fluxio-<stage>-<project>-<name>` where
      // <name> has no `-` (Task classes and functions are Python identifiers; a `-` means another project, e.g. <project>-x).
      const prefix = projectPrefix(this.o.stage, project);
      const ours = (name: string) => name.startsWith(prefix) && !name.slice(prefix.length).includes('-');
      for (const name of await this.o.functions.list(prefix)) if (ours(name)) fnNames.add(name);
      await this.o.triggers.remove(project);
      await this.checkpoint(record, 'triggers', 'DONE', 'removed');
      const machines = await this.o.stateMachines.list(prefix);
      for (const [name, arn] of machines) {
        if (!smNames.has(name) && !ours(name)) continue;
        await this.o.stateMachines.delete(arn);
        await this.checkpoint(record, `stateMachine:${name}`, 'DONE', 'deleted with its versions and aliases');
      }
      for (const name of [...fnNames].sort()) {
        await this.o.functions.delete(name);
        await this.checkpoint(record, `function:${name}`, 'DONE', 'deleted with its versions');
      }
      for (const r of all) {
        if (r.status === 'SUCCEEDED' || r.status === 'ROLLED_BACK') {
          r.status = 'DESTROYED';
          r.revision += 1;
          await this.o.records.put(r);
        }
      }
      record.status = 'DESTROYED';
      record.finishedAt = iso(this.now());
      record.revision += 1;
      await this.o.records.put(record);
      await this.o.records.setCurrent(project, undefined);
      await this.release(project, id);
    } catch (e) {
      if (e instanceof SimulatedCrash) throw e;
      await this.fail(record, e, []).catch(() => undefined);
      throw e;
    }
    return strip(record);
  }
}

/** The run source of an `ecs:worker` task's local stand-in: one TaskWorker per process (`on_startup` once), `run` per message. */
export function workerRunSource(spec: string): string {
  return [
    '_WORKERS = {}',
    '',
    '',
    'async def run(event, context):',
    '    from fluxio_task.worker import load_task_worker_class, _maybe_await',
    '',
    `    spec = ${JSON.stringify(spec)}`,
    '    worker = _WORKERS.get(spec)',
    '    if worker is None:',
    '        worker = load_task_worker_class(spec)()',
    '        await _maybe_await(worker.on_startup())',
    '        _WORKERS[spec] = worker',
    '    return await _maybe_await(worker.run(event, context))',
  ].join('\n');
}

const asObject = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const placeholderOf = (v: unknown) => (typeof v === 'string' ? /^\$\{([A-Za-z0-9_.:-]+)\}$/.exec(v)?.[1] : undefined);

/**
 * Local target only: every Task state that runs task `T` of `standIns` on ECS
 * (`ecs:runTask.sync`, `${ECSTaskDefinition<T>}`) or through its queue
 * (`sqs:sendMessage.waitForTaskToken`, `${QueueUrl<T>}`, ecs:worker) calls
 * `${LambdaFunction<T>}` instead, with the Lambda task's `{meta, data}` event
 * (data = the input the container or worker would get). ResultPath, Retry,
 * Catch and TimeoutSeconds are kept; HeartbeatSeconds is dropped (the
 * function sends no heartbeats). An ecs state's result stays the stopped
 * task's description (a ResultSelector), as `fluxio run` gives it.
 */
export function localStandIns<T>(definition: T, standIns: ReadonlySet<string>): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    const o = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    if (o.Type !== 'Task' || typeof o.Resource !== 'string') return o;
    const params = asObject(o.Parameters);
    let task: string | undefined;
    let dataPath: string | undefined;
    let ecs = false;
    if (o.Resource.startsWith('arn:aws:states:::ecs:runTask')) {
      const t = classifyPlaceholder(placeholderOf(params.TaskDefinition) ?? '');
      if (t.kind === 'ecsTaskDefinition') task = t.task;
      const container = asObject((asObject(params.Overrides).ContainerOverrides as unknown[] | undefined)?.[0]);
      const input = ((container.Environment as unknown[] | undefined) ?? []).map(asObject).find((e) => e.Name === 'SFN_INPUT_VALUE');
      dataPath = /^States\.JsonToString\((.*)\)$/.exec(String(input?.['Value.$'] ?? ''))?.[1] ?? '$';
      ecs = true;
    } else if (o.Resource.startsWith('arn:aws:states:::sqs:sendMessage')) {
      const t = classifyPlaceholder(placeholderOf(params.QueueUrl) ?? '');
      if (t.kind === 'queue') task = t.task;
      dataPath = String(asObject(params.MessageBody)['Input.$'] ?? '$');
    }
    if (!task || !standIns.has(task)) return o;
    const { HeartbeatSeconds: _heartbeat, ...rest } = o;
    return {
      ...rest,
      Resource: `\${LambdaFunction${task}}`,
      Parameters: lambdaTaskParameters(dataPath!),
      ...(ecs
        ? {
            ResultSelector: {
              ...(params.Cluster !== undefined ? { Cluster: params.Cluster } : {}),
              TaskDefinitionArn: params.TaskDefinition ?? null,
              LaunchType: params.LaunchType ?? 'FARGATE',
              LastStatus: 'STOPPED',
              DesiredStatus: 'STOPPED',
              StopCode: 'EssentialContainerExited',
            },
          }
        : {}),
    };
  };
  return walk(definition) as T;
}

/**
 * What the trigger port starts and invokes for each state machine of a record:
 * its `live` alias ARN, and the version its event processor's function has in
 * this record (so a rollback invokes the processor code of the version rolled back to).
 */
function triggerTargets(record: DeploymentRecord, eventProcessors: Record<string, string> | undefined) {
  return Object.fromEntries(
    Object.entries(record.stateMachines).map(([fn, sm]) => {
      const processor = eventProcessors?.[fn];
      const f = processor ? record.functions[processor] : undefined;
      return [fn, { aliasArn: sm.aliasArn, ...(f ? { eventProcessorFunction: `${f.functionArn}:${f.version}` } : {}) }];
    }),
  );
}

/**
 * The EventProcessor class of `@process_events(processor=X)` on a state
 * machine (the manifest's `eventProcessor.processor`), or undefined (none, or
 * the original's built-in processor, `@process_events()`: no custom tags).
 */
function eventProcessorOf(sm: ManifestStateMachine): string | undefined {
  return sm.eventProcessor?.processor ?? undefined;
}

/** True when both records point the aliases at the same state machine versions. */
function sameVersions(a: DeploymentRecord, b: DeploymentRecord): boolean {
  const versions = (r: DeploymentRecord) => JSON.stringify(Object.entries(r.stateMachines).map(([fn, sm]) => [fn, sm.versionArn]).sort());
  return versions(a) === versions(b);
}

/** The API record (without the storage revision). */
function strip(record: StoredRecord): DeploymentRecord {
  const { revision: _revision, ...rest } = record;
  return structuredClone(rest) as DeploymentRecord;
}

/**
 * Seconds a task function's Lambda `Timeout` is set above the longest
 * `TimeoutSeconds` of the Task states that call it, so that the state's timer
 * fires first and the ASL sees `States.Timeout` (what `with retry(on_exceptions=[States.Timeout])`
 * and `except States.Timeout:` name, and what `fluxio run` raises), not the
 * function's own `Sandbox.Timedout`. The function may run on for at most this
 * long after Step Functions gave up on it.
 */
export const LAMBDA_TIMEOUT_MARGIN_SECONDS = 5;

/**
 * The Lambda `Timeout` of a task function: the longest `TimeoutSeconds` of
 * the states calling it (else the class `timeout`) plus
 * {@link LAMBDA_TIMEOUT_MARGIN_SECONDS}, within Lambda's 1–900 s.
 */
export function lambdaTimeoutSeconds(classTimeout: number, longestStateTimeout: number | undefined): number {
  const state = Math.max(classTimeout, longestStateTimeout ?? 0);
  return Math.max(1, Math.min(state + LAMBDA_TIMEOUT_MARGIN_SECONDS, LAMBDA_MAX_TIMEOUT_SECONDS));
}

/** Task class → the longest `TimeoutSeconds` of the Task states that call it, over every state machine (nested Map/Parallel states included). */
export function taskStateTimeouts(manifest: Manifest): Map<string, number> {
  const out = new Map<string, number>();
  const timeouts = new Map<string, number>();
  const walk = (states: Record<string, unknown> | undefined) => {
    for (const [name, raw] of Object.entries(states ?? {})) {
      const state = raw as { TimeoutSeconds?: unknown; Branches?: Array<{ States?: Record<string, unknown> }>; ItemProcessor?: { States?: Record<string, unknown> }; Iterator?: { States?: Record<string, unknown> } };
      if (typeof state.TimeoutSeconds === 'number') timeouts.set(name, state.TimeoutSeconds);
      for (const b of state.Branches ?? []) walk(b.States);
      walk(state.ItemProcessor?.States);
      walk(state.Iterator?.States);
    }
  };
  for (const sm of Object.values(manifest.stateMachines)) {
    timeouts.clear();
    walk(sm.definition.States as Record<string, unknown>);
    for (const [name, source] of Object.entries(sm.states)) {
      const seconds = timeouts.get(name);
      if (source.kind === 'Task' && source.task && seconds !== undefined) out.set(source.task, Math.max(out.get(source.task) ?? 0, seconds));
    }
  }
  return out;
}
