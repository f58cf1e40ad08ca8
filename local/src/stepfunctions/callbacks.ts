/**
 * Task tokens and activity queues: what `.waitForTaskToken` tasks and
 * activity workers wait on, completed by SendTaskSuccess / SendTaskFailure
 * and kept alive by SendTaskHeartbeat (AWS Step Functions developer guide,
 * "Wait for a Callback with Task Token" and "Activities").
 *
 * Tokens live in memory: an execution that was running when the platform
 * stopped is ABORTED at the next start, so its tokens could never complete.
 */
import { randomBytes } from 'node:crypto';
import type { JSONValue, TaskStateResourceLocalHandlerInfo } from '../engine/engine.ts';
import { TaskError } from '../engine/taskHandlers.ts';
import { SfnError } from './errors.ts';

/** GetActivityTask waits at most this long (the service's long poll: 60 seconds). */
export const ACTIVITY_POLL_SECONDS = 60;

/** A token's largest length (the service's taskToken constraint: 1–2048 characters). */
const TOKEN_MAX = 2048;

interface PendingToken {
  executionArn: string;
  state: string;
  resolve(output: JSONValue): void;
  reject(error: Error): void;
  /** Re-arms the heartbeat timer. */
  heartbeat(): void;
}

interface ActivityTask {
  taskToken: string;
  input: string;
  /** Called when a worker takes the task (ActivityStarted). */
  onStarted(workerName: string | undefined): void;
}

type Poller = (task: ActivityTask | undefined) => void;

/** Tokens that closed, remembered so a late SendTask* gets the service's answer (bounded). */
const CLOSED_REMEMBERED = 10_000;

export class CallbackRegistry {
  private readonly tokens = new Map<string, PendingToken>();
  private readonly closed = new Map<string, 'timedOut' | 'closed'>();
  private readonly queues = new Map<string, ActivityTask[]>();
  private readonly pollers = new Map<string, Poller[]>();

  /** A new opaque task token. */
  static newToken(): string {
    return randomBytes(48).toString('base64url');
  }

  /**
   * Waits for SendTaskSuccess/Failure on `token`. `HeartbeatSeconds` of the
   * state: without SendTaskHeartbeat (or success/failure) for that long the
   * task fails with `States.HeartbeatTimeout`. The state's own timeout and an
   * execution abort arrive through `info.signal`.
   */
  waitFor(token: string, executionArn: string, info: TaskStateResourceLocalHandlerInfo, heartbeatSeconds: number): Promise<JSONValue> {
    return new Promise<JSONValue>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (how: 'timedOut' | 'closed') => {
        clearTimeout(timer);
        this.tokens.delete(token);
        info.signal.removeEventListener('abort', onAbort);
        this.remember(token, how);
      };
      const arm = () => {
        if (!heartbeatSeconds) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          finish('timedOut');
          reject(new TaskError('States.HeartbeatTimeout', `No SendTaskHeartbeat for ${heartbeatSeconds} s (HeartbeatSeconds of state ${info.stateName}).`));
        }, heartbeatSeconds * 1000);
      };
      const onAbort = () => {
        const reason = info.signal.reason as Error | undefined;
        finish(reason?.name === 'States.Timeout' ? 'timedOut' : 'closed');
        reject(reason instanceof Error ? reason : new TaskError('States.Aborted', 'The execution was stopped.'));
      };
      this.tokens.set(token, {
        executionArn,
        state: info.stateName,
        resolve: (output) => {
          finish('closed');
          resolve(output);
        },
        reject: (error) => {
          finish('closed');
          reject(error);
        },
        heartbeat: arm,
      });
      info.signal.addEventListener('abort', onAbort, { once: true });
      if (info.signal.aborted) onAbort();
      else arm();
    });
  }

  private remember(token: string, how: 'timedOut' | 'closed'): void {
    this.closed.set(token, how);
    if (this.closed.size > CLOSED_REMEMBERED) this.closed.delete(this.closed.keys().next().value!);
  }

  /** @throws SfnError InvalidToken / TaskTimedOut / TaskDoesNotExist */
  private pending(token: unknown): PendingToken {
    if (typeof token !== 'string' || token.length === 0 || token.length > TOKEN_MAX) {
      throw new SfnError('InvalidToken', 'Invalid Token: taskToken must be the 1-2048 character token the task received ($$.Task.Token or GetActivityTask).');
    }
    const p = this.tokens.get(token);
    if (p) return p;
    const how = this.closed.get(token);
    if (how === 'timedOut') throw new SfnError('TaskTimedOut', 'Task Timed Out: the task of this token timed out (TimeoutSeconds or HeartbeatSeconds) before it was completed.');
    if (how === 'closed') throw new SfnError('TaskDoesNotExist', 'Task Does Not Exist: the task of this token was already completed or its execution stopped.');
    throw new SfnError('InvalidToken', 'Invalid Token: no task of this platform has this token (tokens do not survive a restart of the platform).');
  }

  /** SendTaskSuccess. @throws SfnError InvalidOutput when `output` is not JSON */
  success(token: unknown, output: unknown): void {
    const p = this.pending(token);
    let value: JSONValue;
    try {
      value = JSON.parse(String(output)) as JSONValue;
    } catch (err) {
      throw new SfnError('InvalidOutput', `Invalid Output: output is not valid JSON (${(err as Error).message}).`);
    }
    p.resolve(value);
  }

  /** SendTaskFailure: the state fails with `error` (default `States.TaskFailed`) and `cause`. */
  failure(token: unknown, error: unknown, cause: unknown): void {
    const p = this.pending(token);
    p.reject(new TaskError(typeof error === 'string' && error ? error : 'States.TaskFailed', typeof cause === 'string' ? cause : ''));
  }

  /** SendTaskHeartbeat. */
  heartbeat(token: unknown): void {
    this.pending(token).heartbeat();
  }

  /** Queues an activity task for a worker of `activity` (first waiting poller first). */
  enqueue(activity: string, task: ActivityTask): void {
    const waiting = this.pollers.get(activity);
    const poller = waiting?.shift();
    if (poller) {
      poller(task);
      return;
    }
    let q = this.queues.get(activity);
    if (!q) this.queues.set(activity, (q = []));
    q.push(task);
  }

  /** Removes a queued task no worker took (its execution stopped). */
  dequeue(activity: string, taskToken: string): void {
    const q = this.queues.get(activity);
    if (q) this.queues.set(activity, q.filter((t) => t.taskToken !== taskToken));
  }

  /**
   * GetActivityTask: the next task of `activity`, waiting up to `timeoutMs`
   * (and no longer than the client stays connected: `signal`).
   * @returns the task, or undefined when none arrived
   */
  poll(activity: string, workerName: string | undefined, timeoutMs: number, signal?: AbortSignal): Promise<{ taskToken: string; input: string } | undefined> {
    const take = (t: ActivityTask) => {
      t.onStarted(workerName);
      return { taskToken: t.taskToken, input: t.input };
    };
    const queued = this.queues.get(activity)?.shift();
    if (queued) return Promise.resolve(take(queued));
    return new Promise((resolve) => {
      let list = this.pollers.get(activity);
      if (!list) this.pollers.set(activity, (list = []));
      const done = (t: ActivityTask | undefined) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(t ? take(t) : undefined);
      };
      const remove = () => {
        const l = this.pollers.get(activity);
        if (l) this.pollers.set(activity, l.filter((p) => p !== done));
      };
      const onAbort = () => {
        remove();
        done(undefined);
      };
      const timer = setTimeout(onAbort, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      list.push(done);
    });
  }

  /** Ends every waiting poll (platform shutdown). */
  close(): void {
    for (const list of this.pollers.values()) for (const p of list.splice(0)) p(undefined);
  }
}
