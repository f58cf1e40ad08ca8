import '@fluxio/contracts/polyfills';
import { createRequire } from 'node:module';
import { StateMachine } from 'aws-local-stepfunctions';
import type { AslDefinition, CompileResult, Manifest } from '@fluxio/contracts/manifest';
import { loadCompiler } from '../src/index.ts';

const require = createRequire(import.meta.url);
const aslValidator = require('asl-validator') as (d: unknown, o?: unknown) => { isValid: boolean; errors: unknown[] };

/** Compiles and asserts success, returning the manifest (and validating every definition). */
export async function compileOk(source: string): Promise<Manifest> {
  const c = await loadCompiler();
  const r = c.compile(source);
  if (!r.ok) throw new Error('expected success, got ' + JSON.stringify(r.errors, null, 1));
  for (const [name, sm] of Object.entries(r.manifest.stateMachines)) {
    const v = validateAsl(sm.definition);
    if (!v.isValid) throw new Error(`asl-validator rejected ${name}: ${JSON.stringify(v.errors).slice(0, 2000)}`);
  }
  return r.manifest;
}

export async function compileErrors(source: string): Promise<Extract<CompileResult, { ok: false }>['errors']> {
  const c = await loadCompiler();
  const r = c.compile(source);
  if (r.ok) throw new Error('expected errors, got a manifest');
  return r.errors;
}

/** Placeholders replaced with well-formed ARNs, as CloudFormation would. */
export function substitute(def: AslDefinition): AslDefinition {
  return JSON.parse(
    JSON.stringify(def).replace(/\$\{([A-Za-z]+?)([A-Za-z0-9_]*)\}/g, (_m, _a, _b) => `arn:aws:lambda:us-east-1:123456789012:function:${_a}${_b}`),
  );
}

export function validateAsl(def: AslDefinition): { isValid: boolean; errors: unknown[] } {
  return aslValidator(structuredClone(substitute(def)), { checkArn: true, checkPaths: true });
}

export type Stub = (input: any, stateName: string) => unknown;

/**
 * Runs a compiled definition on aws-local-stepfunctions with stub tasks
 * (keyed by state name) and zero wait times. Returns output or error.
 */
export async function execute(
  def: AslDefinition,
  input: unknown,
  stubs: Record<string, Stub>,
): Promise<{ status: 'SUCCEEDED' | 'FAILED'; output?: any; error?: string; cause?: string }> {
  const sm = new StateMachine(substitute(def) as never, { validationOptions: { checkArn: false, checkPaths: false } });
  const handlers: Record<string, (i: any) => unknown> = {};
  const waits: Record<string, number> = {};
  const retries: Record<string, number> = {};
  const collect = (states: Record<string, any>): void => {
    for (const [name, st] of Object.entries(states)) {
      if (st.Type === 'Task') {
        const stub = stubs[name] ?? Object.entries(stubs).find(([k]) => name.startsWith(k + '-') || name === k)?.[1];
        handlers[name] = async (i: any) => {
          if (!stub) throw new Error(`no stub for task state ${name}`);
          return stub(i, name) as never;
        };
        retries[name] = 0;
      }
      if (st.Type === 'Wait') waits[name] = 0;
      if (st.ItemProcessor) collect(st.ItemProcessor.States);
      if (st.Branches) for (const b of st.Branches) collect(b.States);
    }
  };
  collect(def.States);
  const run = sm.run(input as never, { context: { Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:sm:exec-1', Name: 'exec-1' }, StateMachine: { Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:sm', Name: 'sm' } } as never, overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: waits, retryIntervalOverrides: retries } });
  try {
    const output = await run.result;
    return { status: 'SUCCEEDED', output };
  } catch (e: any) {
    const inner = e?.cause ?? e;
    return { status: 'FAILED', error: inner?.name, cause: inner?.message };
  }
}
