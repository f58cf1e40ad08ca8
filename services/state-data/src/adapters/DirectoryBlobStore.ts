/**
 * BlobStore on a local directory (embedded target). Presigned URLs point back
 * at the local server's `/v1/local-blobs/{token}` route: the token names the
 * blob key, the method, the exact size (uploads) and the expiry, and is signed
 * with HMAC-SHA256, like an S3 presigned URL. An upload of more bytes than the
 * token declares is refused while it is received ({@link DirectoryBlobStore.putStream}).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { BlobStore, PresignedUrl } from '../ports.ts';
import { StateDataError } from '../errors.ts';

/** Route of the local presigned-URL flow (served by the local platform only). */
export const LOCAL_BLOB_ROUTE_PREFIX = '/v1/local-blobs/';

interface TokenClaims {
  /** blob key */
  k: string;
  /** method */
  m: 'PUT' | 'GET';
  /** expiry, epoch seconds */
  e: number;
  /** exact size of the upload, bytes (PUT) */
  s?: number;
}

/** What a verified presigned token grants. */
export interface BlobGrant {
  key: string;
  /** Exact number of bytes the upload must have (PUT tokens). */
  sizeBytes?: number;
}

export interface DirectoryBlobStoreOptions {
  /** Directory holding the blobs (created on demand). */
  root: string;
  /** HMAC key for presigned URLs. @default random per process (URLs die with the process) */
  signingSecret?: string | Buffer;
}

const encodeSegment = (segment: string): string => {
  if (Buffer.byteLength(segment) > 200) return `sha256-${createHash('sha256').update(segment).digest('hex')}`;
  if (segment === '' ) return '%';
  return encodeURIComponent(segment).replace(/^\.$/, '%2E').replace(/^\.\.$/, '%2E%2E').replace(/\*/g, '%2A');
};

/** Directory-backed {@link BlobStore}. */
export class DirectoryBlobStore implements BlobStore {
  readonly root: string;
  private readonly secret: Buffer;

  constructor(options: DirectoryBlobStoreOptions) {
    this.root = path.resolve(options.root);
    this.secret =
      options.signingSecret === undefined
        ? randomBytes(32)
        : Buffer.isBuffer(options.signingSecret)
          ? options.signingSecret
          : Buffer.from(options.signingSecret);
  }

  /** File path of a blob key: every segment URL-encoded, so no key can leave `root`. */
  pathOf(key: string): string {
    return path.join(this.root, ...key.split('/').map(encodeSegment));
  }

  async put(key: string, body: Buffer): Promise<void> {
    const file = this.pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, body);
      await rename(tmp, file); // atomic: readers see the old or the new blob, never half of one
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  /**
   * Store the bytes of `chunks` under `key`, refusing them as they arrive:
   * once more than `sizeBytes` bytes came in, reading stops and nothing is
   * stored (413 `StateData.UploadTooLarge`); fewer is a 400
   * `StateData.UploadSizeMismatch`. Atomic like {@link put}.
   */
  async putStream(key: string, chunks: AsyncIterable<Buffer | Uint8Array | string>, sizeBytes: number): Promise<void> {
    const file = this.pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const out = createWriteStream(tmp);
    const closed = new Promise<void>((resolve, reject) => {
      out.on('close', resolve);
      out.on('error', reject);
    });
    let received = 0;
    try {
      for await (const chunk of chunks) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        received += buf.length;
        if (received > sizeBytes)
          throw new StateDataError(
            'StateData.UploadTooLarge',
            413,
            `The upload sends more than the ${sizeBytes} bytes its URL was issued for; nothing was stored. Upload exactly the bytes you declared (sizeBytes) or request a new URL.`,
            { sizeBytes },
          );
        if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      }
      if (received !== sizeBytes)
        throw new StateDataError(
          'StateData.UploadSizeMismatch',
          400,
          `The upload has ${received} bytes; its URL was issued for exactly ${sizeBytes}. Nothing was stored; upload the declared bytes.`,
          { sizeBytes, receivedBytes: received },
        );
      out.end();
      await closed;
      await rename(tmp, file);
    } catch (e) {
      out.destroy();
      await closed.catch(() => undefined);
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async digest(key: string): Promise<{ sizeBytes: number; sha256: string } | undefined> {
    const hash = createHash('sha256');
    let sizeBytes = 0;
    try {
      for await (const chunk of createReadStream(this.pathOf(key))) {
        hash.update(chunk as Buffer);
        sizeBytes += (chunk as Buffer).length;
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    return { sizeBytes, sha256: hash.digest('hex') };
  }

  async presign(method: 'PUT' | 'GET', key: string, expiresInSeconds: number, origin: string, sizeBytes?: number): Promise<PresignedUrl> {
    const expiresAt = Math.floor(Date.now() / 1000) + expiresInSeconds;
    const claims: TokenClaims = { k: key, m: method, e: expiresAt, ...(method === 'PUT' && sizeBytes !== undefined ? { s: sizeBytes } : {}) };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const token = `${payload}.${this.sign(payload)}`;
    return {
      url: `${origin.replace(/\/+$/, '')}${LOCAL_BLOB_ROUTE_PREFIX}${token}`,
      headers: method === 'PUT' ? { 'content-type': 'application/octet-stream' } : {},
      expiresAt,
    };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }

  /**
   * Check a presigned token for `method` and return the blob key it grants.
   * @throws StateDataError 403 `StateData.InvalidSignature` (tampered, wrong method) or `StateData.UrlExpired`
   */
  verifyToken(token: string, method: 'PUT' | 'GET'): string {
    return this.verifyGrant(token, method).key;
  }

  /** {@link verifyToken}, with the upload size the token declares. */
  verifyGrant(token: string, method: 'PUT' | 'GET'): BlobGrant {
    const [payload, signature, extra] = token.split('.');
    const bad = () =>
      new StateDataError('StateData.InvalidSignature', 403, 'The presigned URL is not valid (tampered or for another method). Request a new one.');
    if (!payload || !signature || extra !== undefined) throw bad();
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw bad();
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      throw bad();
    }
    if (claims.m !== method) throw bad();
    if (claims.e < Math.floor(Date.now() / 1000))
      throw new StateDataError('StateData.UrlExpired', 403, 'The presigned URL has expired. Request a new one (they last 15 minutes).');
    return { key: claims.k, ...(typeof claims.s === 'number' ? { sizeBytes: claims.s } : {}) };
  }
}
