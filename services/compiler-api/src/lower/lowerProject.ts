import type { SyntaxNode as Node } from '../parse/syntaxTree.ts';
import type { Manifest } from '@fluxio/contracts/manifest';
import type { DiagnosticSink } from '../parse/source.ts';
import { ProjectScope } from './scope.ts';
import { mapIteratorNames, topLevelDefinitions } from './scan/moduleScan.ts';
import { isExceptionClass, lowerClass } from './scan/classes.ts';
import { lowerStateMachineFunction } from './scan/stateMachineFunction.ts';

export { DEFAULT_TASK_ATTRIBUTES } from './scan/taskClass.ts';
export { MAX_NESTED_BODIES, MAX_STATES_PER_PROJECT, MAX_STATES_PER_STATE_MACHINE } from './limits.ts';
export { placeholderNames } from './placeholders.ts';

/**
 * Lowers a parsed `project.py` to the manifest. The pipeline:
 * 1. module scan (scan/moduleScan.ts): the module-level definitions in order
 *    (spec §2.1) and the functions used as map() iterators;
 * 2. each definition in source order: a class (scan/classes.ts: Task classes,
 *    scan/taskClass.ts, and exception classes, scan/exceptionClass.ts, whose
 *    hierarchy is exceptions/hierarchy.ts) or a state machine function
 *    (scan/stateMachineFunction.ts, with its decorators, scan/decorators.ts),
 *    whose body goes statement by statement through lower/statements/
 *    (one module per statement kind) into its state graph (emit/StateGraph.ts);
 * 3. functions embedded in a Map or Parallel are marked `firstClass: false`.
 * Every problem is reported to `sink`.
 */
export class ProjectLowerer {
  private readonly scope: ProjectScope;

  constructor(source: string, sink: DiagnosticSink) {
    this.scope = new ProjectScope(source, sink);
  }

  lower(root: Node, project: string): Manifest {
    const s = this.scope;
    const top = topLevelDefinitions(root);
    for (const { def } of top) {
      const name = def.childForFieldName('name')?.text;
      if (name && !s.laterNames.has(name)) s.laterNames.set(name, def.startIndex);
    }
    for (const name of mapIteratorNames(root)) s.mapIterators.add(name);
    // Exception classes first (in source order): in Python `except Base` catches a subclass
    // defined anywhere in the module, so every state machine must see the whole hierarchy.
    const early = new Set<Node>();
    for (const { def, decorators } of top) {
      if (def.type === 'class_definition' && decorators.length === 0 && isExceptionClass(s, def)) {
        lowerClass(s, def, decorators);
        early.add(def);
      }
    }
    for (const { def, decorators } of top) {
      if (early.has(def)) continue;
      if (def.type === 'class_definition') lowerClass(s, def, decorators);
      else lowerStateMachineFunction(s, def, decorators);
    }
    for (const name of s.notFirstClass) if (s.machines[name]) s.machines[name].firstClass = false;
    const manifest: Manifest = { project, stateMachines: s.machines, tasks: s.manifestTasks, eventProcessors: s.manifestEventProcessors, diagnostics: [] };
    if (Object.keys(s.manifestExceptions).length) manifest.exceptions = s.manifestExceptions;
    return manifest;
  }
}
