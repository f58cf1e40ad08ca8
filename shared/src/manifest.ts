/**
 * The manifest: the contract between the compiler, the deployer and the local
 * runner (DESIGN.md §6). Fields named here must not be renamed; extend freely.
 *
 * @example
 * ```json
 * {"project": "demo",
 *  "stateMachines": {"main": {"definition": {"StartAt": "...", "States": {}},
 *     "firstClass": true, "schedule": null, "subscriptions": [], "export": null,
 *     "substitutions": ["LambdaFunctionFoo"],
 *     "states": {"Foo": {"line": 7, "column": 5, "kind": "Task", "task": "Foo"}}}},
 *  "tasks": {"Foo": {"service": "lambda", "attributes": {...}, "run": {"source": "...", "imports": []}}},
 *  "diagnostics": []}
 * ```
 */

/** An Amazon States Language state machine definition (JSONPath flavour). */
export interface AslDefinition {
  Comment?: string;
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
  [key: string]: unknown;
}

/** One ASL state object; `Type` is one of the ASL state types. */
export interface AslState {
  Type: 'Task' | 'Pass' | 'Choice' | 'Wait' | 'Succeed' | 'Fail' | 'Parallel' | 'Map';
  [key: string]: unknown;
}

/** Task services accepted in a Task class's `service` attribute (spec §2.2). */
export const TASK_SERVICES = [
  'lambda',
  'lambda:container',
  'lambda:pexpm-runner',
  'ecs',
  'ecs:worker',
  'codebuild',
] as const;
export type TaskService = (typeof TASK_SERVICES)[number];

/** Task class attributes with the original Fluxio defaults (spec §2.2). */
export interface TaskAttributes {
  service: TaskService;
  /** Default `TimeoutSeconds` for calls of this task, in seconds. @default 300 */
  timeout: number;
  /** ECS CPU units. @default 1024 */
  cpu: number;
  /** Memory in MB (Lambda and ECS). @default 2048 */
  memory: number;
  /** CodeBuild build spec (a literal dict) or null. */
  build_spec: Record<string, unknown> | null;
  /** `ecs:worker`: minimum ECS tasks. @default 0 */
  autoscaling_min: number;
  /** `ecs:worker`: maximum ECS tasks. @default 10 */
  autoscaling_max: number;
  /** `ecs:worker`: `package.module:Class` of the TaskWorker subclass. @default "" */
  spec: string;
  /** `ecs:worker`: messages processed at once, 1..100. @default 1 */
  concurrency: number;
  /** Heartbeat interval in seconds, or null (becomes `HeartbeatSeconds`). */
  heartbeat_interval: number | null;
}

/** A Task class of the project. */
export interface ManifestTask {
  service: TaskService;
  attributes: TaskAttributes;
  /**
   * The `async def run(event, context)` method, extracted as-is (imports kept
   * in `source`; `imports` lists the top-level packages it imports, spec §2.3).
   * Null when the class defines no async `run` (e.g. `ecs:worker`, `codebuild`).
   */
  run: { source: string; imports: string[]; line: number } | null;
  /** 1-based line of the `class` statement. */
  line: number;
}

/** A module-level exception class of the project. */
export interface ManifestException {
  /** Base class names as written (`Exception`, `ValueError`, another project class). */
  bases: string[];
  /** The `class` statement's source, dedented (Python, exec'd as-is). */
  source: string;
  /** 1-based line of the `class` statement (tracebacks point at project.py). */
  line: number;
}

/**
 * `@schedule(expression=..., input_data=..., timezone=...)` (spec §2.6, issue 9).
 * The compiler validates the expression and time zone with
 * `parseScheduleExpression` (shared/src/schedules.ts): what reaches the
 * manifest is a valid EventBridge Scheduler `ScheduleExpression`.
 */
export interface ScheduleTrigger {
  /**
   * `rate(...)`, `cron(...)` (AWS's six-field dialect) or `at(...)`. The
   * compiler refuses a @schedule without one (DSL.ScheduleExpression), so it
   * is a string in every compiled manifest; null only in manifests of older compilers.
   */
  expression: string | null;
  input_data: Record<string, unknown> | null;
  /**
   * IANA time zone name the expression is evaluated in (EventBridge
   * Scheduler's `ScheduleExpressionTimezone`), or null for UTC. (Manifests
   * of compilers before issue 9 lack it: read a missing one as null.)
   */
  timezone: string | null;
}

/**
 * An EventProcessor class of the project (spec §2.4): deployed as a function
 * of the project (handler `fluxio_task.entry.event_processor_handler`; file
 * layout in shared/src/eventProcessors.ts) and invoked for each status event
 * of every state machine whose `@process_events(processor=...)` names it.
 */
export interface ManifestEventProcessor {
  /** The `class` statement's source, dedented (Python, exec'd as-is with `EventProcessor` and the project's exception classes defined). */
  source: string;
  /** 1-based line of the `class` statement (tracebacks point at project.py). */
  line: number;
  /** The event types it has a `get_custom_tags_<EventType>` method for, in source order (shared/src/eventProcessors.ts). */
  eventTypes: string[];
  /** Top-level packages its methods import (as a task's `run.imports`, spec §2.3). */
  imports: string[];
}

/** `@process_events(processor=X)` of a state machine (spec §2.6). */
export interface EventProcessorTrigger {
  /** The EventProcessor class (a key of the manifest's `eventProcessors`), or null for the built-in processor (`@process_events()`: no custom tags). */
  processor: string | null;
}

/** One `@subscribe(...)` (spec §2.6). */
export interface SubscriptionTrigger {
  project: string | null;
  state_machine: string;
  status: 'success' | 'failure';
  topic_arn_import_value: string | null;
}

/** Where a state came from in `project.py` (1-based line and column). */
export interface StateSource {
  line: number;
  column: number;
  /** ASL state type. */
  kind: AslState['Type'];
  /** The Task class (or nested state machine function) a Task state calls. */
  task?: string;
  /** The state machine function whose body holds this state. */
  function?: string;
  /**
   * True for a state the compiler adds around the user's statements (the
   * trace envelope `Trace-Check`/`Trace-Default`, map()'s item normalisation
   * and per-item merge, data.update's merge, a nested call's output unwrap):
   * progress output may hide it. Absent for the user's own states.
   */
  internal?: true;
}

/** One compiled state machine (one module-level `def`). */
export interface ManifestStateMachine {
  definition: AslDefinition;
  /** False when the function is only used as a Map iterator or Parallel branch. */
  firstClass: boolean;
  schedule: ScheduleTrigger | null;
  subscriptions: SubscriptionTrigger[];
  export: { enabled: boolean } | null;
  /**
   * `@process_events(...)`, or null without it. Absent in manifests of
   * older compilers (= null).
   */
  eventProcessor?: EventProcessorTrigger | null;
  /** Names of `${…}` definition-substitution placeholders used (without `${}`). */
  substitutions: string[];
  /** Every state of the definition, nested Map/Parallel states included. */
  states: Record<string, StateSource>;
  /** 1-based line of the `def`. */
  line: number;
}

/** The compiler's output for one project file. */
export interface Manifest {
  project: string;
  stateMachines: Record<string, ManifestStateMachine>;
  tasks: Record<string, ManifestTask>;
  /**
   * The project's module-level exception classes (`class PaymentDeclined(Exception): pass`),
   * in source order. A task's `run` is executed with every one of them defined
   * in its namespace (defined in this order; `bases` are built-in or earlier
   * project classes), so `raise PaymentDeclined("...")` works in any task and
   * its Step Functions error name is the class name (DESIGN §7).
   */
  exceptions?: Record<string, ManifestException>;
  /**
   * The project's EventProcessor classes (`class MyEvents(EventProcessor):`),
   * in source order. The compiler always writes it (`{}` when none); absent
   * in manifests of older compilers.
   */
  eventProcessors?: Record<string, ManifestEventProcessor>;
  /** Non-fatal findings (warnings); errors never produce a manifest. */
  diagnostics: Diagnostic[];
}

/**
 * A compile error or warning with a precise source range. Lines and columns
 * are 1-based; `endColumn` is exclusive.
 */
export interface Diagnostic {
  /** Stable code, e.g. `DSL.UnknownName`, `Syntax.MissingColon`. */
  code: string;
  /** What is wrong and what to write instead. */
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity?: 'error' | 'warning';
}

/** Result of `compile()`: a manifest, or all errors of the file. Never throws. */
export type CompileResult = { ok: true; manifest: Manifest } | { ok: false; errors: Diagnostic[] };
