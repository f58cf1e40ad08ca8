/**
 * Environment configuration of the state data handlers (argument > env > default).
 *
 * | variable | meaning | default |
 * | --- | --- | --- |
 * | `FLUXIO_TARGET` | `aws` or `embedded` | `aws` in Lambda, else `embedded` |
 * | `FLUXIO_TABLE_NAME` | table of local items | `fluxio-state-data` |
 * | `FLUXIO_BUCKET_NAME` | S3 bucket of offloaded values (aws) | required on aws |
 * | `FLUXIO_DYNAMODB_ENDPOINT` | DynamoDB endpoint override (dynalite) | required on embedded |
 * | `FLUXIO_S3_ENDPOINT` | S3 endpoint override (path style) | none |
 * | `FLUXIO_SFN_ENDPOINT` | Step Functions endpoint override | none |
 * | `FLUXIO_BLOB_DIR` | blob directory (embedded) | required on embedded |
 * | `FLUXIO_STATE_DATA_TTL_SECONDS` | default item lifetime, seconds | 604800 (7 days) |
 * | `FLUXIO_STATE_DATA_MAX_TTL_SECONDS` | longest lifetime a request may ask for | 31622400 (366 days) |
 * | `FLUXIO_STAGE` | deployment stage: the stop function accepts only executions of state machines `fluxio-<stage>-<project>-<fn>` (the deployer's names) | none (the local platform's names: `fluxio-local-<project>-<fn>`, `<project>-<fn>`) |
 * | `FLUXIO_AWS_ACCOUNT_ID` | the stop function accepts only execution ARNs of this account | any (IAM scopes it) |
 */
import { DEFAULT_STATE_DATA_TABLE, DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS } from '@fluxio/contracts/schemas/stateData';

export interface StateDataConfig {
  target: 'aws' | 'embedded';
  tableName: string;
  bucketName?: string;
  dynamodbEndpoint?: string;
  s3Endpoint?: string;
  sfnEndpoint?: string;
  blobDir?: string;
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  stage?: string;
}

/** Read the configuration from `env`. @throws Error naming the missing or invalid variable */
export function readStateDataConfig(env: NodeJS.ProcessEnv = process.env): StateDataConfig {
  const target = (env.FLUXIO_TARGET ?? (env.AWS_LAMBDA_FUNCTION_NAME ? 'aws' : 'embedded')) as StateDataConfig['target'];
  if (target !== 'aws' && target !== 'embedded') throw new Error(`FLUXIO_TARGET must be "aws" or "embedded", not "${target}".`);
  const ttlText = env.FLUXIO_STATE_DATA_TTL_SECONDS;
  const defaultTtlSeconds = ttlText === undefined || ttlText === '' ? DEFAULT_TTL_SECONDS : Number(ttlText);
  if (!Number.isInteger(defaultTtlSeconds) || defaultTtlSeconds < 1 || defaultTtlSeconds > MAX_TTL_SECONDS)
    throw new Error(`FLUXIO_STATE_DATA_TTL_SECONDS must be a whole number of seconds between 1 and ${MAX_TTL_SECONDS}, not "${ttlText}".`);
  const maxText = env.FLUXIO_STATE_DATA_MAX_TTL_SECONDS;
  const maxTtlSeconds = maxText === undefined || maxText === '' ? MAX_TTL_SECONDS : Number(maxText);
  if (!Number.isInteger(maxTtlSeconds) || maxTtlSeconds < defaultTtlSeconds || maxTtlSeconds > MAX_TTL_SECONDS)
    throw new Error(
      `FLUXIO_STATE_DATA_MAX_TTL_SECONDS must be a whole number of seconds between the default lifetime (${defaultTtlSeconds}) and ${MAX_TTL_SECONDS}, not "${maxText}".`,
    );
  const config: StateDataConfig = {
    target,
    tableName: env.FLUXIO_TABLE_NAME || DEFAULT_STATE_DATA_TABLE,
    bucketName: env.FLUXIO_BUCKET_NAME || undefined,
    dynamodbEndpoint: env.FLUXIO_DYNAMODB_ENDPOINT || undefined,
    s3Endpoint: env.FLUXIO_S3_ENDPOINT || undefined,
    sfnEndpoint: env.FLUXIO_SFN_ENDPOINT || undefined,
    blobDir: env.FLUXIO_BLOB_DIR || undefined,
    defaultTtlSeconds,
    maxTtlSeconds,
    stage: env.FLUXIO_STAGE || undefined,
  };
  if (target === 'aws' && !config.bucketName) throw new Error('FLUXIO_BUCKET_NAME is required on the aws target (the offload bucket).');
  if (target === 'embedded' && (!config.dynamodbEndpoint || !config.blobDir))
    throw new Error(
      'The embedded target needs FLUXIO_DYNAMODB_ENDPOINT (a dynalite URL) and FLUXIO_BLOB_DIR, or a service injected with setStateDataService().',
    );
  return config;
}
