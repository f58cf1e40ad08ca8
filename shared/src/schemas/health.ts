/**
 * `GET /v1/health`: the platform answers, and with which API version.
 */
import { Type, type Static } from '@sinclair/typebox';

export const HealthResponseSchema = Type.Object(
  {
    status: Type.Literal('ok', { description: 'Always `ok` when the platform answers.' }),
    version: Type.String({ description: 'Version of the HTTP API served (the `/v1` prefix), e.g. `1.0.0`.' }),
    stage: Type.Optional(Type.String({ description: 'Deployed stage (`FLUXIO_STAGE`), absent on the local platform.' })),
    local: Type.Optional(
      Type.Object(
        {
          dataDir: Type.String({ description: 'Where items and blobs persist.' }),
          pid: Type.Integer({ description: 'Process id of the platform (the holder of the data directory lock).' }),
          uptimeSeconds: Type.Number({ description: 'Seconds since the platform started.' }),
          workers: Type.Integer({ description: 'Python worker processes of the run API.' }),
        },
        { description: 'Local platform only: what is running.' },
      ),
    ),
  },
  { $id: 'HealthResponse' },
);
export type HealthResponse = Static<typeof HealthResponseSchema>;
