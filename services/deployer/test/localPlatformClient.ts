/**
 * What the deployer's end-to-end tests do against a local platform: call its
 * HTTP API, upload a project bundle the way `fluxio deploy` does, and run a
 * deployed state machine on its alias with the real SFN client.
 */
import { expect } from 'vitest';
import { DescribeExecutionCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { createProjectBundle } from '@fluxio/contracts/bundle/createProjectBundle';

export interface LocalPlatformClient {
  /** One JSON request: its status and parsed body. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Bundle `dir` and upload it (presigned PUT unless it exists); the bundle reference. */
  upload(project: string, dir: string): Promise<{ sha256: string; sizeBytes: number }>;
  /** Start main on its alias with `{amount}` and wait for the output (the execution must succeed). */
  runAlias(aliasArn: string, amount: number): Promise<any>;
}

/** The client of the platform at `url()` (read at each call: the platform starts in beforeAll). */
export function localPlatformClient(url: () => string, sfn: () => SFNClient): LocalPlatformClient {
  const api: LocalPlatformClient['api'] = async (method, path, body) => {
    const res = await fetch(`${url()}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  return {
    api,
    async upload(project, dir) {
      const b = await createProjectBundle(dir);
      const bundle = { sha256: b.sha256, sizeBytes: b.sizeBytes };
      const signed = await api('POST', `/v1/projects/${project}/bundles/upload-url`, bundle);
      expect(signed.status, JSON.stringify(signed.body)).toBe(200);
      if (!signed.body.exists) {
        const put = await fetch(signed.body.url, { method: 'PUT', headers: signed.body.headers, body: Buffer.from(b.zip) });
        expect(put.status).toBeLessThan(300);
      }
      return bundle;
    },
    async runAlias(aliasArn, amount) {
      const { executionArn } = await sfn().send(new StartExecutionCommand({ stateMachineArn: aliasArn, input: JSON.stringify({ amount }) }));
      for (;;) {
        const d = await sfn().send(new DescribeExecutionCommand({ executionArn }));
        if (d.status !== 'RUNNING') {
          expect(d.status, `${d.error}: ${d.cause}`).toBe('SUCCEEDED');
          return JSON.parse(d.output!);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}
