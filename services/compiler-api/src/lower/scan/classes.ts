import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';
import type { ProjectScope } from '../scope.ts';
import { lowerTaskClass } from './taskClass.ts';

/** Reads a module-level class (spec §2.1): a Task class; anything else is reported. */
export function lowerClass(s: ProjectScope, node: Node, decorators: Node[]): void {
  const name = node.childForFieldName('name')?.text ?? '';
  for (const d of decorators) s.sink.error('DSL.UnsupportedDecorator', 'decorators are only allowed on state machine functions; remove it from the class', d);
  const bases = node.childForFieldName('superclasses')?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
  const baseNames = bases.map((b) => b!.text);
  if (baseNames.includes('EventProcessor')) {
    s.sink.error('DSL.EventProcessorUnsupported', 'EventProcessor classes are not supported by this compiler; tag events in a Task instead', node.childForFieldName('name') ?? node);
    return;
  }
  if (!baseNames.includes('Task')) {
    const dotted = baseNames.find((b) => b.endsWith('.Task'));
    s.sink.error(
      'DSL.ClassBase',
      dotted ? `write \`class ${name}(Task):\` with the bare name Task, not ${dotted}` : `only Task classes are supported: write \`class ${name}(Task):\``,
      node.childForFieldName('name') ?? node,
    );
    return;
  }
  lowerTaskClass(s, node, name);
}
