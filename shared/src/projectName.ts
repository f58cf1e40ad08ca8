/**
 * Project names (the `project` of a manifest): they end up in AWS resource
 * names (state machines, functions, topics, schedules), so they are limited to
 * what all of those accept: a letter, then letters, digits, `-` or `_`, at most
 * 64 characters in all. Kept free of heavy imports (the CLI loads it at startup).
 */
export const PROJECT_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_-]{0,63}$';

const projectNameRegExp = new RegExp(PROJECT_NAME_PATTERN);

/** True when `name` is a valid project name ({@link PROJECT_NAME_PATTERN}). */
export const isValidProjectName = (name: string): boolean => projectNameRegExp.test(name);
