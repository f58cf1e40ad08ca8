import { PYTHON_EXCEPTION_ALIASES, PYTHON_EXCEPTION_BASES } from './pythonExceptions.ts';

/**
 * What `except Exception` / `on_exceptions=[Exception]` match: every error a
 * task raises. ASL's `States.TaskFailed` is the Task-state wildcard that
 * "matches any known error name except for States.Timeout" (States Language
 * spec, "Error names"); a task that runs out of time (`States.Timeout`) is
 * added, as in Python a timeout is an `Exception` (`TimeoutError`).
 */
export const EXCEPTION_ERROR_EQUALS: readonly string[] = ['States.TaskFailed', 'States.Timeout'];

/** What `except BaseException` (and a bare `except:`) match: everything (`States.ALL`, which must stand alone). */
export const BASE_EXCEPTION_ERROR_EQUALS: readonly string[] = ['States.ALL'];

/**
 * Python's exception hierarchy — CPython's built-in classes
 * (pythonExceptions.ts) plus the project's own exception classes — as ASL
 * error names: the name a task's exception arrives with is its class name
 * (DESIGN §7), so `except LookupError` must list `LookupError`, `IndexError`
 * and `KeyError` to mean what Python means.
 */
export class ExceptionHierarchy {
  private readonly bases = new Map<string, readonly string[]>();
  private readonly children = new Map<string, string[]>();

  constructor() {
    for (const [name, bases] of Object.entries(PYTHON_EXCEPTION_BASES)) this.add(name, bases);
  }

  /** The class a builtin alias names (`IOError` → `OSError`), else `name`. */
  resolve(name: string): string {
    return PYTHON_EXCEPTION_ALIASES[name] ?? name;
  }

  /** True for a built-in or project exception class (aliases included). */
  has(name: string): boolean {
    return this.bases.has(this.resolve(name));
  }

  /** True when `name` is a built-in exception class or alias. */
  isBuiltin(name: string): boolean {
    return Object.hasOwn(PYTHON_EXCEPTION_BASES, this.resolve(name));
  }

  /** Records an exception class (`class Name(Base1, Base2)`); its bases must be known. */
  add(name: string, bases: readonly string[]): void {
    const resolved = bases.map((b) => this.resolve(b));
    this.bases.set(name, resolved);
    for (const b of resolved) {
      const list = this.children.get(b);
      if (list) list.push(name);
      else this.children.set(b, [name]);
    }
  }

  /** True when `name` is `ancestor` or derives from it. */
  derivesFrom(name: string, ancestor: string): boolean {
    const seen = new Set<string>();
    const stack = [this.resolve(name)];
    while (stack.length) {
      const n = stack.pop()!;
      if (n === ancestor) return true;
      if (seen.has(n)) continue;
      seen.add(n);
      stack.push(...(this.bases.get(n) ?? []));
    }
    return false;
  }

  /** `name` and every class deriving from it, in a stable order (the class first, then breadth-first). */
  withSubclasses(name: string): string[] {
    const root = this.resolve(name);
    const out = [root];
    const seen = new Set(out);
    for (let i = 0; i < out.length; i++) {
      for (const c of this.children.get(out[i]) ?? []) {
        if (!seen.has(c)) {
          seen.add(c);
          out.push(c);
        }
      }
    }
    return out;
  }

  /**
   * The ErrorEquals an `except`/`on_exceptions` name stands for: BaseException
   * → `States.ALL`; Exception → {@link EXCEPTION_ERROR_EQUALS}; a known class →
   * itself and its subclasses; `States.X` and unknown names (e.g. a class of a
   * task's own module) → themselves.
   */
  errorEquals(name: string): string[] {
    const r = this.resolve(name);
    if (r === 'BaseException') return [...BASE_EXCEPTION_ERROR_EQUALS];
    if (r === 'Exception') return [...EXCEPTION_ERROR_EQUALS];
    if (!this.bases.has(r)) return [name];
    return this.withSubclasses(r);
  }
}
