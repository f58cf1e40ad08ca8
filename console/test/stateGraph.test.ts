/**
 * The state graph builder (shared/src/graph/stateGraph.ts), which the console
 * draws and `fluxio compile --format mermaid` prints, on the ASL of every
 * example: each state of the definition is a node in the body that holds it,
 * each transition an edge of the right kind, Choice rules carry their
 * condition, Catch and Retry are their own edges, Map and Parallel nest.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compile } from '@fluxio/compiler-api';
import type { Manifest } from '@fluxio/contracts/manifest';
import { allStates, buildStateGraph, describeChoiceRule, withoutStates, type AslBody, type GraphState, type StateGraph } from '@fluxio/contracts/graph/stateGraph';

const root = join(import.meta.dirname, '../..');
const examples = readdirSync(join(root, 'examples')).filter((d) => existsSync(join(root, 'examples', d, 'project.py')));

async function manifestOf(example: string): Promise<Manifest> {
  const r = await compile(readFileSync(join(root, 'examples', example, 'project.py'), 'utf8'), { project: example });
  if (!r.ok) throw new Error(`${example} does not compile: ${JSON.stringify(r.errors)}`);
  return r.manifest;
}

/** The graph state named `name` (unique in a Fluxio state machine). */
const stateNamed = (g: StateGraph, name: string): GraphState => {
  const found = allStates(g).filter((s) => s.state.name === name);
  expect(found, `state ${name}`).toHaveLength(1);
  return found[0]!.state;
};

/** Every edge the ASL body implies, checked against the graph body (recursively). */
function checkBody(def: AslBody, g: StateGraph): void {
  expect(g.states.map((s) => s.name)).toEqual(Object.keys(def.States));
  expect(g.startEdge.to).toBe(`${g.key}/${def.StartAt}`);
  const usesEnd = Object.values(def.States).some((s) => s.End === true);
  expect(Boolean(g.end)).toBe(usesEnd);
  for (const s of g.states) {
    const asl = def.States[s.name]!;
    expect(s.type).toBe(asl.Type);
    expect(s.key).toBe(`${g.key}/${s.name}`);
    const of = (kind: string) => s.edges.filter((e) => e.kind === kind);
    for (const e of s.edges) expect(e.from).toBe(s.key);
    // Next / End
    expect(of('next').map((e) => e.to)).toEqual(typeof asl.Next === 'string' ? [`${g.key}/${asl.Next}`] : []);
    expect(of('end').map((e) => e.to)).toEqual(asl.End === true ? [g.end] : []);
    // Choice rules, in order, labelled with their condition; Default
    const rules = (asl.Choices as Array<Record<string, unknown>> | undefined) ?? [];
    expect(of('choice').map((e) => [e.to, e.label, e.rule])).toEqual(rules.map((r, i) => [`${g.key}/${r.Next}`, describeChoiceRule(r), i]));
    expect(of('default').map((e) => e.to)).toEqual(typeof asl.Default === 'string' ? [`${g.key}/${asl.Default}`] : []);
    // Catch and Retry: their own kinds, with the error names
    const catches = (asl.Catch as Array<{ ErrorEquals: string[]; Next: string }> | undefined) ?? [];
    expect(of('catch').map((e) => [e.to, e.errors])).toEqual(catches.map((c) => [`${g.key}/${c.Next}`, c.ErrorEquals]));
    const retries = (asl.Retry as Array<{ ErrorEquals: string[]; MaxAttempts?: number }> | undefined) ?? [];
    expect(of('retry').map((e) => [e.to, e.errors, e.maxAttempts])).toEqual(retries.map((r) => [s.key, r.ErrorEquals, r.MaxAttempts ?? 3]));
    // Every edge target is a node of this body (no dangling edge in compiled ASL)
    const keys = new Set([...g.states.map((x) => x.key), g.end]);
    for (const e of s.edges) expect(keys.has(e.to), `${s.name} → ${e.to}`).toBe(true);
    // Nesting: Map has its iteration, Parallel one body per branch
    const bodies: AslBody[] = asl.Type === 'Map' ? [(asl.ItemProcessor ?? asl.Iterator) as AslBody] : asl.Type === 'Parallel' ? (asl.Branches as AslBody[]) : [];
    expect(s.bodies).toHaveLength(bodies.length);
    bodies.forEach((b, i) => {
      expect(s.bodies[i]!.key).toBe(`${g.key}/${s.name}#${i}`);
      checkBody(b, s.bodies[i]!);
    });
  }
}

describe('the graph of every example state machine follows its ASL', () => {
  test('there are examples', () => expect(examples.length).toBeGreaterThanOrEqual(5));
  for (const example of examples) {
    test(example, async () => {
      const m = await manifestOf(example);
      for (const [fn, sm] of Object.entries(m.stateMachines)) {
        const g = buildStateGraph(sm.definition, fn);
        checkBody(sm.definition, g);
        // The source map names exactly the graph's states (nested included)
        expect(allStates(g).map((s) => s.state.name).sort()).toEqual(Object.keys(sm.states).sort());
      }
    });
  }
});

describe('what each example shows in its graph', () => {
  test('looping-counter: the while condition on the Choice edge, and the loop back', async () => {
    const g = buildStateGraph((await manifestOf('looping-counter')).stateMachines.main!.definition, 'main');
    const task = stateNamed(g, 'Increment counter');
    const loop = allStates(g).find((s) => s.state.type === 'Choice' && s.state.edges.some((e) => e.to === task.key))!.state;
    expect(loop.edges.find((e) => e.to === task.key)).toMatchObject({ kind: 'choice', label: "$['counter'] < 10" });
    expect(loop.edges.find((e) => e.kind === 'default')).toBeDefined();
    expect(task.edges.find((e) => e.kind === 'next')!.to).toBe(loop.key);
  });

  test('parallel-errors: two branches nested, a retry on States.Timeout and a catch of MyError into a Fail', async () => {
    const g = buildStateGraph((await manifestOf('parallel-errors')).stateMachines.main!.definition, 'main');
    const parallel = allStates(g).find((s) => s.state.type === 'Parallel')!;
    expect(parallel.depth).toBe(0);
    expect(parallel.state.bodies.map((b) => b.title)).toEqual([`${parallel.state.name} branch 1`, `${parallel.state.name} branch 2`]);
    expect(parallel.state.bodies[0]!.states.map((s) => s.name)).toContain('Log message');
    expect(parallel.state.bodies[1]!.states.map((s) => s.name)).toContain('Print message');
    expect(allStates(g).find((s) => s.state.name === 'Log message')!.depth).toBe(1);
    const flaky = stateNamed(g, 'Raise after a timeout');
    const retry = flaky.edges.find((e) => e.kind === 'retry' && e.errors!.includes('States.Timeout'))!;
    expect(retry).toMatchObject({ to: flaky.key, maxAttempts: 2, intervalSeconds: 1 });
    const caught = flaky.edges.find((e) => e.kind === 'catch' && e.errors!.includes('MyError'))!;
    expect(g.states.find((s) => s.key === caught.to)!.type).toBe('Fail');
  });

  test('fan-out: the Map iteration holds the worker task', async () => {
    const g = buildStateGraph((await manifestOf('fan-out')).stateMachines.main!.definition, 'main');
    const map = g.states.find((s) => s.type === 'Map')!;
    expect(map.bodies).toHaveLength(1);
    expect(map.bodies[0]!.title).toBe(`${map.name} iteration`);
    expect(allStates(map.bodies[0]!).map((s) => s.state.name)).toContain('Greet item');
    expect(g.states.map((s) => s.name)).not.toContain('Greet item');
  });

  test('reminder: the "not in" condition reads as absent and leads to the Fail', async () => {
    const g = buildStateGraph((await manifestOf('reminder')).stateMachines.main!.definition, 'main');
    const edge = allStates(g).flatMap((s) => s.state.edges).find((e) => e.kind === 'choice' && e.label === "$['timestamp'] absent")!;
    expect(edge).toBeDefined();
    expect(g.states.find((s) => s.key === edge.to)!.type).toBe('Fail');
    expect(g.states.some((s) => s.type === 'Wait')).toBe(true);
  });
});

describe('withoutStates: the graph without the compiler\'s internal states', () => {
  for (const example of examples) {
    test(example, async () => {
      const m = await manifestOf(example);
      for (const [fn, sm] of Object.entries(m.stateMachines)) {
        const internal = new Set(Object.entries(sm.states).filter(([, s]) => s.internal).map(([n]) => n));
        const full = buildStateGraph(sm.definition, fn);
        const g = withoutStates(full, internal);
        const names = allStates(g).map((s) => s.state.name);
        // Every state of the user's code is still drawn
        for (const [name, s] of Object.entries(sm.states)) if (!s.internal) expect(names, name).toContain(name);
        // Every edge reaches a drawn node of its body, and no edge comes from a state that went away
        const check = (body: StateGraph) => {
          const keys = new Set([...body.states.map((s) => s.key), body.end]);
          expect(keys.has(body.startEdge.to), `${body.key} start → ${body.startEdge.to}`).toBe(true);
          for (const s of body.states) {
            for (const e of s.edges) expect(keys.has(e.to), `${s.name} → ${e.to}`).toBe(true);
            s.bodies.forEach(check);
          }
        };
        check(g);
      }
    });
  }

  test('fan-out: the trace envelope and the Map\'s input normalisation are gone; start leads to the first task', async () => {
    const sm = (await manifestOf('fan-out')).stateMachines.main!;
    const internal = new Set(Object.entries(sm.states).filter(([, s]) => s.internal).map(([n]) => n));
    expect(internal.size).toBeGreaterThan(0);
    const g = withoutStates(buildStateGraph(sm.definition, 'main'), internal);
    expect(g.startEdge.to).toBe('main/Generate items');
    expect(g.states.map((s) => s.type)).toEqual(['Task', 'Map', 'Task']);
    const map = g.states[1]!;
    expect(stateNamed(g, 'Generate items').edges.find((e) => e.kind === 'next')!.to).toBe(map.key);
    expect(map.bodies[0]!.startEdge.to).toBe(`${map.bodies[0]!.key}/Greet item`);
  });
});
