import { createHash } from 'node:crypto';

/** Prefix of every offloaded value; the bucket's lifecycle rule expires it (spec §20.3). */
export const BLOB_KEY_PREFIX = 'workflow_state_data/';

/** Partition keys longer than this (UTF-8 bytes) are replaced by their hash in blob keys (S3 keys are ≤ 1024 bytes). */
const MAX_PARTITION_SEGMENT_BYTES = 512;

/**
 * The blob key of an offloaded value: derived from table, partition key and
 * index (spec §20.3: `workflow_state_data/<table>/<partition>/<index>`) plus the
 * value's SHA-256, so that a rewrite never changes the bytes an existing item
 * points to (the new blob is written first, then the item is switched over).
 * Every reader computes and finds the same key in the platform bucket, whatever
 * project wrote it.
 */
export function blobKeyFor(tableName: string, partitionKey: string, index: number, sha256: string): string {
  const partition =
    Buffer.byteLength(partitionKey) > MAX_PARTITION_SEGMENT_BYTES
      ? `sha256-${createHash('sha256').update(partitionKey).digest('hex')}`
      : partitionKey;
  return `${BLOB_KEY_PREFIX}${tableName}/${partition}/${index}/${sha256}`;
}

/** Lower-case hex SHA-256 of `bytes`. */
export const sha256Hex = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');
