/**
 * BlobStore on Amazon S3 (`@aws-sdk/client-s3` + `@aws-sdk/s3-request-presigner`).
 * Tested against s3rver (`forcePathStyle`, `requestChecksumCalculation: 'WHEN_REQUIRED'`).
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { S3Client, type S3ClientConfig, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BlobStore, PresignedUrl } from '../ports.ts';

export interface S3BlobStoreOptions {
  bucket: string;
  client?: S3Client;
  clientConfig?: S3ClientConfig;
}

const isMissing = (e: unknown) => {
  const name = (e as Error)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404;
};

/** S3-backed {@link BlobStore}. Objects are written with SSE (AES256). */
export class S3BlobStore implements BlobStore {
  readonly client: S3Client;
  readonly bucket: string;

  constructor(options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    this.client = options.client ?? new S3Client({ maxAttempts: 6, ...options.clientConfig });
  }

  async put(key: string, body: Buffer): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/json', ContentLength: body.length }),
    );
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  async digest(key: string): Promise<{ sizeBytes: number; sha256: string } | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const hash = createHash('sha256');
      let sizeBytes = 0;
      for await (const chunk of out.Body as Readable) {
        hash.update(chunk as Buffer);
        sizeBytes += (chunk as Buffer).length;
      }
      return { sizeBytes, sha256: hash.digest('hex') };
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  /** `sizeBytes` is signed into PUT URLs (Content-Length), so S3 refuses a body of another size. */
  async presign(method: 'PUT' | 'GET', key: string, expiresInSeconds: number, _origin?: string, sizeBytes?: number): Promise<PresignedUrl> {
    const command =
      method === 'PUT'
        ? new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            ContentType: 'application/octet-stream',
            ...(sizeBytes !== undefined ? { ContentLength: sizeBytes } : {}),
          })
        : new GetObjectCommand({ Bucket: this.bucket, Key: key });
    const url = await getSignedUrl(this.client, command, { expiresIn: expiresInSeconds });
    return {
      url,
      headers: method === 'PUT' ? { 'content-type': 'application/octet-stream' } : {},
      expiresAt: Math.floor(Date.now() / 1000) + expiresInSeconds,
    };
  }
}
