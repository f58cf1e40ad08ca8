/**
 * The embedded target's presigned-URL route (local platform only, never
 * deployed): `PUT`/`GET /v1/local-blobs/{token}`, where the token is an
 * HMAC-signed, expiring grant issued by DirectoryBlobStore.presign (the local
 * stand-in for an S3 presigned URL). Bodies are raw bytes, not JSON.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'aws-lambda';
import { errorResponse, httpEdge, logUnhandled, type HttpEvent, type HttpResult } from '@fluxio/contracts/http';
import { MAX_VALUE_BYTES } from '@fluxio/contracts/schemas/stateData';
import { getService } from '../serviceRegistry.ts';
import { DirectoryBlobStore, LOCAL_BLOB_ROUTE_PREFIX } from '../adapters/DirectoryBlobStore.ts';
import { isStateDataError } from '../errors.ts';

/** `body` in 64 KiB chunks, as a stream would deliver it. */
async function* chunksOf(body: Buffer): AsyncGenerator<Buffer> {
  for (let i = 0; i < body.length; i += 64 * 1024) yield body.subarray(i, i + 64 * 1024);
}

const base = async (event: HttpEvent, _context: Context): Promise<HttpResult> => {
  try {
    const blobs = getService().blobs;
    if (!(blobs instanceof DirectoryBlobStore))
      return errorResponse(404, 'Route.NotFound', 'Local blob URLs exist only on the embedded target; on AWS use the S3 presigned URL.');
    const method = event.requestContext.http.method.toUpperCase();
    const token = event.pathParameters?.token ?? '';
    if (method === 'PUT') {
      const grant = blobs.verifyGrant(token, 'PUT');
      const declared = event.headers?.['content-length'];
      if (grant.sizeBytes !== undefined && declared !== undefined && Number(declared) > grant.sizeBytes)
        return tooLarge(grant.sizeBytes);
      const body = event.body == null ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
      if (body.length > MAX_VALUE_BYTES)
        return errorResponse(413, 'StateData.ValueTooLarge', `The upload is ${body.length} bytes; the limit is ${MAX_VALUE_BYTES} bytes (100 MiB).`);
      if (grant.sizeBytes === undefined) await blobs.put(grant.key, body);
      else await blobs.putStream(grant.key, chunksOf(body), grant.sizeBytes); // stops at the first byte past the declared size
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
    }
    const key = blobs.verifyToken(token, 'GET');
    const bytes = await blobs.get(key);
    if (!bytes) return errorResponse(404, 'StateData.BlobNotFound', 'No blob at this URL (it was never uploaded or has been removed).');
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    };
  } catch (e) {
    if (isStateDataError(e)) return errorResponse(e.statusCode, e.code, e.message, e.details);
    logUnhandled('local blob route failed', e);
    return errorResponse(500, 'Internal', 'Internal error; the blob was not transferred. Retry.');
  }
};

/** Handler of the local-only routes `PUT|GET /v1/local-blobs/{token}`. */
export const handler = httpEdge(base);

/**
 * The presigned upload `PUT /v1/local-blobs/{token}` read as it arrives (a
 * local server stream handler, before any body is buffered): the bytes go
 * straight to the blob file, and once more than the token's declared size
 * came in, reading stops, nothing is stored and the answer is 413
 * `StateData.UploadTooLarge` (the connection is then closed). Every other
 * request returns `false` (the server goes on as usual).
 */
export async function localBlobUploadStream(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== 'PUT' || !req.url?.startsWith(LOCAL_BLOB_ROUTE_PREFIX)) return false;
  const blobs = getService().blobs;
  if (!(blobs instanceof DirectoryBlobStore)) return false;
  const answer = (result: HttpResult, close = false) => {
    res.writeHead(result.statusCode ?? 200, { ...(result.headers as Record<string, string>), ...(close ? { connection: 'close' } : {}) });
    res.end(result.body);
    if (close) res.once('finish', () => req.destroy());
  };
  try {
    let token: string;
    try {
      token = decodeURIComponent(req.url.slice(LOCAL_BLOB_ROUTE_PREFIX.length).split('?')[0]);
    } catch {
      token = ''; // not valid URL encoding: no token we issued (verifyGrant answers 403)
    }
    const grant = blobs.verifyGrant(token, 'PUT');
    if (grant.sizeBytes === undefined) return false; // a grant without a size: the buffered route checks it
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > grant.sizeBytes) {
      answer(tooLarge(grant.sizeBytes), true); // refused before reading a byte
      return true;
    }
    await blobs.putStream(grant.key, req, grant.sizeBytes);
    answer({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' });
  } catch (e) {
    if (isStateDataError(e)) answer(errorResponse(e.statusCode, e.code, e.message, e.details), e.statusCode === 413 || !req.readableEnded);
    else {
      logUnhandled('local blob upload failed', e);
      answer(errorResponse(500, 'Internal', 'Internal error; the blob was not stored. Retry.'), !req.readableEnded);
    }
  }
  return true;
}

const tooLarge = (sizeBytes: number) =>
  errorResponse(
    413,
    'StateData.UploadTooLarge',
    `The upload is larger than the ${sizeBytes} bytes its URL was issued for; nothing was stored. Upload exactly the declared bytes (sizeBytes) or request a new URL.`,
    { sizeBytes },
  );
