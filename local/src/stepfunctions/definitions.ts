/**
 * State machine definition checks: JSON, then the Amazon States Language
 * rules as asl-validator 4 implements them (schema, transitions, terminal
 * states, unique names, field combinations), reported the way
 * ValidateStateMachineDefinition reports diagnostics.
 */
import { createRequire } from 'node:module';
import type { ValidateStateMachineDefinitionDiagnostic } from '@aws-sdk/client-sfn';
import { SfnError } from './errors.ts';

const require = createRequire(import.meta.url);
type AslValidator = (definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }) => {
  isValid: boolean;
  errors: Array<{ 'Error code': string; Message: string; schemaError?: { instancePath: string } }>;
};
const aslValidator = require('asl-validator') as AslValidator;

/** The service's definition size quota (1 MiB of UTF-8). */
export const MAX_DEFINITION_BYTES = 1024 * 1024;

/** Diagnostics of a definition text (empty when valid). */
export function diagnose(definition: string): ValidateStateMachineDefinitionDiagnostic[] {
  if (Buffer.byteLength(definition, 'utf8') > MAX_DEFINITION_BYTES) {
    return [{ severity: 'ERROR', code: 'DEFINITION_TOO_LARGE', message: `The definition is larger than ${MAX_DEFINITION_BYTES} bytes (1 MiB).` }];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(definition);
  } catch (err) {
    return [{ severity: 'ERROR', code: 'INVALID_JSON_DESCRIPTION', message: `The definition is not valid JSON: ${(err as Error).message}` }];
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return [{ severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', message: 'The definition must be a JSON object with StartAt and States.' }];
  }
  // asl-validator annotates the definition it checks (QueryLanguage): give it a copy.
  const result = aslValidator(structuredClone(parsed), { checkPaths: true, checkArn: true });
  return result.errors.map((e) => ({
    severity: 'ERROR',
    code: e['Error code'],
    message: e.Message,
    ...(e.schemaError?.instancePath !== undefined ? { location: e.schemaError.instancePath || '/' } : {}),
  }));
}

/** @throws SfnError `InvalidDefinition` with every diagnostic in the message */
export function checkDefinition(definition: unknown): string {
  if (typeof definition !== 'string' || definition === '') {
    throw new SfnError('ValidationException', "1 validation error detected: Value at 'definition' failed to satisfy constraint: Member must not be null");
  }
  const diagnostics = diagnose(definition);
  if (diagnostics.length) {
    throw new SfnError(
      'InvalidDefinition',
      `Invalid State Machine Definition: ${diagnostics.map((d) => `${d.code}${d.location ? ` at ${d.location}` : ''}: ${d.message}`).join('; ')}`,
    );
  }
  return definition;
}
