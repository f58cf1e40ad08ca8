import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';
import type { ProjectScope } from '../scope.ts';
import { EVENT_PROCESSOR_BASE } from '@fluxio/contracts/eventProcessors';
import { lowerEventProcessorClass } from './eventProcessorClass.ts';
import { lowerExceptionClass } from './exceptionClass.ts';
import { lowerTaskClass } from './taskClass.ts';

/** True when `node` is `class Name(B1, ...)` with every base a known exception class (so far). */
export function isExceptionClass(s: ProjectScope, node: Node): boolean {
  const bases = node.childForFieldName('superclasses')?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
  return bases.length > 0 && bases.every((b) => s.exceptions.has(b!.text));
}

/** Reads a module-level class (spec §2.1): a Task class, an EventProcessor class or an exception class; anything else is reported. */
export function lowerClass(s: ProjectScope, node: Node, decorators: Node[]): void {
  const name = node.childForFieldName('name')?.text ?? '';
  for (const d of decorators) s.sink.error('DSL.UnsupportedDecorator', 'decorators are only allowed on state machine functions; remove it from the class', d);
  const bases = node.childForFieldName('superclasses')?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
  const baseNames = bases.map((b) => b!.text);
  if (baseNames.includes(EVENT_PROCESSOR_BASE) && !baseNames.includes('Task')) {
    lowerEventProcessorClass(s, node, name, bases as Node[]);
    return;
  }
  const viaProcessor = baseNames.find((b) => s.eventProcessors.has(b) || b.endsWith(`.${EVENT_PROCESSOR_BASE}`));
  if (viaProcessor && !baseNames.includes('Task')) {
    s.sink.error(
      'DSL.EventProcessorBase',
      `an EventProcessor class inherits the bare name EventProcessor directly (spec §2.6): write \`class ${name}(EventProcessor):\`, not a subclass of ${viaProcessor}`,
      bases.find((b) => b!.text === viaProcessor) ?? node,
    );
    return;
  }
  if (!baseNames.includes('Task') && baseNames.length > 0 && baseNames.every((b) => s.exceptions.has(b))) {
    // a project base must be defined above, as Python evaluates bases when the class statement runs
    const later = baseNames.find((b) => !s.exceptions.isBuiltin(b) && (s.laterNames.get(b) ?? 0) > node.startIndex);
    if (later) {
      s.sink.error(
        'DSL.ClassBase',
        `the exception class ${later} is defined later (line ${s.sink.lines.position(s.laterNames.get(later)!).line}); define it above ${name}`,
        bases.find((b) => b!.text === later) ?? node,
      );
      return;
    }
    lowerExceptionClass(s, node, name, baseNames);
    return;
  }
  if (!baseNames.includes('Task')) {
    const unknown = baseNames.find((b) => !s.exceptions.has(b) && /(Error|Exception|Warning)$/.test(b));
    if (unknown) {
      const later = s.laterNames.get(unknown);
      s.sink.error(
        'DSL.ClassBase',
        later !== undefined && later > node.startIndex
          ? `the exception class ${unknown} is defined later (line ${s.sink.lines.position(later).line}); define it above ${name}`
          : `\`${unknown}\` is not a built-in exception or an exception class defined above; derive ${name} from Exception (class ${name}(Exception): pass) or from a class defined above`,
        bases.find((b) => b!.text === unknown) ?? node,
      );
      return;
    }
    const dotted = baseNames.find((b) => b.endsWith('.Task'));
    s.sink.error(
      'DSL.ClassBase',
      dotted
        ? `write \`class ${name}(Task):\` with the bare name Task, not ${dotted}`
        : `only Task, EventProcessor and exception classes are supported: write \`class ${name}(Task):\` for a task, \`class ${name}(EventProcessor):\` for custom tags of status events, or \`class ${name}(Exception):\` for an error to raise and catch`,
      node.childForFieldName('name') ?? node,
    );
    return;
  }
  lowerTaskClass(s, node, name);
}
