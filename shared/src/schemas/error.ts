/**
 * The error body every Fluxio HTTP API returns (DESIGN.md §6):
 * `{"error":{"code","message","details"?}}`, as a TypeBox schema for the
 * OpenAPI document. The TypeScript shape is `HttpErrorBody` in errors.ts.
 */
import { Type } from '@sinclair/typebox';

export const ErrorBodySchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code, e.g. `Request.Invalid`.' }),
      message: Type.String({ description: 'What went wrong and what to do instead.' }),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: 'ErrorBody' },
);
