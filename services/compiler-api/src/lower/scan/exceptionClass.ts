import type { SyntaxNode as Node } from '../../parse/syntaxTree.ts';
import type { ProjectScope } from '../scope.ts';
import { extractSource } from './taskClass.ts';

/**
 * A module-level exception class, `class PaymentDeclined(Exception): pass`
 * (bases: built-in exceptions or project exception classes defined above).
 * It joins the exception hierarchy (so `except PaymentDeclined` also catches
 * its project subclasses) and the manifest's `exceptions` (so run methods can
 * raise it). Its body runs in the task runtime as written; the compiler only
 * refuses a body that would need the module (`import`s belong in `run`).
 */
export function lowerExceptionClass(s: ProjectScope, node: Node, name: string, bases: string[]): void {
  if (s.exceptions.isBuiltin(name)) {
    s.sink.error('DSL.ClassBase', `${name} is a built-in exception; give the project's class another name`, node.childForFieldName('name') ?? node);
    return;
  }
  if (s.tasks.has(name) || s.manifestExceptions[name]) {
    s.sink.error('DSL.DuplicateDefinition', `${name} is already defined above; give this class another name`, node.childForFieldName('name') ?? node);
    return;
  }
  const { source, line } = extractSource(s, node);
  s.exceptions.add(name, bases);
  s.manifestExceptions[name] = { bases, source, line };
}
