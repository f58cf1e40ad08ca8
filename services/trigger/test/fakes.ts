/**
 * In-memory fakes of the trigger service's ports, for the domain's unit
 * tests (the production adapters have their own tests: DynamoDB on dynalite,
 * SNS/Scheduler/CloudFormation with aws-sdk-client-mock, Step Functions on
 * the local platform).
 */
import { TriggerService, type TriggerServiceOptions } from '../src/TriggerService.ts';
import type {
  AppliedTriggers,
  Downstream,
  ExportRegistry,
  MessageAttributes,
  OffloadPointer,
  ProcessorRequest,
  Processors,
  ResultStore,
  ScheduleDefinition,
  Schedules,
  StartOutcome,
  StartRequest,
  StateMachineTriggers,
  Topics,
  TriggerRecords,
} from '../src/ports.ts';

export class FakeExecutions {
  readonly started: StartRequest[] = [];
  readonly byName = new Map<string, StartRequest & { executionArn: string }>();
  readonly described = new Map<string, { input?: string; output?: string; error?: string; cause?: string }>();
  describeCalls = 0;
  failFor = new Set<string>();

  async start(r: StartRequest): Promise<StartOutcome> {
    if (this.failFor.has(r.stateMachineArn)) throw new Error(`StartExecution on ${r.stateMachineArn} failed`);
    const key = `${r.stateMachineArn.replace(/:live$/, '')}/${r.name}`;
    const found = this.byName.get(key);
    if (found) return { kind: 'exists', executionArn: found.executionArn, startDate: new Date(0), sameInput: JSON.stringify(found.input) === JSON.stringify(r.input) };
    const executionArn = `${r.stateMachineArn.replace(':stateMachine:', ':execution:').replace(/:live$/, '')}:${r.name}`;
    this.byName.set(key, { ...r, executionArn });
    this.started.push(r);
    return { kind: 'started', executionArn, startDate: new Date(0) };
  }

  async describe(executionArn: string) {
    this.describeCalls++;
    return this.described.get(executionArn);
  }
}

export class FakeRecords implements TriggerRecords {
  readonly claims = new Set<string>();
  readonly machines = new Map<string, StateMachineTriggers>();
  readonly downstreamItems = new Map<string, Downstream>();
  readonly applied = new Map<string, AppliedTriggers>();
  async claimPublication(arn: string, status: string) {
    const k = `${arn}\n${status}`;
    if (this.claims.has(k)) return false;
    this.claims.add(k);
    return true;
  }
  async releasePublication(arn: string, status: string) {
    this.claims.delete(`${arn}\n${status}`);
  }
  async getStateMachine(p: string, fn: string) {
    return structuredClone(this.machines.get(`${p}/${fn}`));
  }
  async putStateMachine(i: StateMachineTriggers) {
    this.machines.set(`${i.project}/${i.stateMachine}`, structuredClone(i));
  }
  async deleteStateMachine(p: string, fn: string) {
    this.machines.delete(`${p}/${fn}`);
  }
  async downstreams(topicArn: string) {
    return [...this.downstreamItems.values()].filter((d) => d.topicArn === topicArn).map((d) => structuredClone(d));
  }
  async putDownstream(d: Downstream) {
    this.downstreamItems.set(`${d.topicArn}\n${d.project}/${d.stateMachine}`, structuredClone(d));
  }
  async deleteDownstream(t: string, p: string, fn: string) {
    this.downstreamItems.delete(`${t}\n${p}/${fn}`);
  }
  async getApplied(p: string) {
    return structuredClone(this.applied.get(p));
  }
  async putApplied(a: AppliedTriggers) {
    this.applied.set(a.project, structuredClone(a));
  }
  async deleteApplied(p: string) {
    this.applied.delete(p);
  }
}

export class FakeTopics implements Topics {
  readonly topics = new Map<string, Record<string, string>>();
  readonly published: Array<{ topicArn: string; message: string; attributes: MessageAttributes }> = [];
  readonly subscribed = new Set<string>();
  failPublish = 0;
  private n = 0;
  arnOf = (name: string) => `arn:aws:sns:us-east-1:123456789012:${name}`;
  async ensure(name: string, tags: Record<string, string>) {
    const arn = this.arnOf(name);
    const had = this.topics.get(arn);
    if (had && JSON.stringify(had) !== JSON.stringify(tags)) throw new Error('Topic already exists with different tags');
    this.topics.set(arn, tags);
    return arn;
  }
  async delete(arn: string) {
    this.topics.delete(arn);
  }
  async publish(topicArn: string, message: string, attributes: MessageAttributes) {
    if (this.failPublish > 0) {
      this.failPublish--;
      throw new Error('SNS Publish throttled');
    }
    this.published.push({ topicArn, message, attributes });
    return { messageId: `m-${++this.n}` };
  }
  async subscribe(arn: string) {
    this.subscribed.add(arn);
  }
  async unsubscribe(arn: string) {
    this.subscribed.delete(arn);
  }
}

export class FakeSchedules implements Schedules {
  readonly groups = new Map<string, ScheduleDefinition[]>();
  async replaceGroup(group: string, s: ScheduleDefinition[]) {
    this.groups.set(group, structuredClone(s));
  }
  async deleteGroup(group: string) {
    this.groups.delete(group);
  }
  async list(group: string) {
    return structuredClone(this.groups.get(group) ?? []);
  }
}

export class FakeExports implements ExportRegistry {
  readonly owners = new Map<string, Record<string, string>>();
  readonly foreign = new Map<string, string>();
  async resolve(name: string) {
    if (this.foreign.has(name)) return this.foreign.get(name);
    for (const values of this.owners.values()) if (name in values) return values[name];
    return undefined;
  }
  async publish(owner: string, values: Record<string, string>) {
    this.owners.set(owner, { ...values });
  }
  async remove(owner: string) {
    this.owners.delete(owner);
  }
}

export class FakeProcessors implements Processors {
  readonly calls: Array<{ functionName: string; request: ProcessorRequest }> = [];
  answer: (r: ProcessorRequest) => Record<string, unknown> = () => ({});
  async invoke(functionName: string, request: ProcessorRequest) {
    this.calls.push({ functionName, request: structuredClone(request) });
    return this.answer(request);
  }
}

export class FakeResults implements ResultStore {
  readonly items = new Map<string, string>();
  async put(project: string, execution: string, key: string, json: string): Promise<OffloadPointer> {
    const pointer = { table_name: 'fluxio-state-data', partition_key: `${project}:${execution}:${key}`, key };
    this.items.set(pointer.partition_key, json);
    return pointer;
  }
  async get(p: OffloadPointer) {
    const v = this.items.get(p.partition_key);
    if (v === undefined) throw new Error('no item');
    return v;
  }
}

/** A service over fresh fakes, and the fakes. */
export function fakeService(overrides: Partial<TriggerServiceOptions> = {}) {
  const f = {
    executions: new FakeExecutions(),
    records: new FakeRecords(),
    topics: new FakeTopics(),
    schedules: new FakeSchedules(),
    exports: new FakeExports(),
    processors: new FakeProcessors(),
    results: new FakeResults(),
    logs: [] as Array<{ level: string; message: string; fields?: unknown }>,
  };
  const logger = {
    info: (message: string, fields?: unknown) => void f.logs.push({ level: 'info', message, fields }),
    warn: (message: string, fields?: unknown) => void f.logs.push({ level: 'warn', message, fields }),
    error: (message: string, fields?: unknown) => void f.logs.push({ level: 'error', message, fields }),
  };
  const service = new TriggerService({ stage: 'prod', ...f, logger: logger as never, ...overrides });
  return { service, ...f };
}

/** The `live` alias ARN of a state machine of stage prod. */
export const aliasArn = (project: string, fn: string) => `arn:aws:states:us-east-1:123456789012:stateMachine:fluxio-prod-${project}-${fn}:live`;
