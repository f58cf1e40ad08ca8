/**
 * Request and response schemas of the state data API (issue 3, "Interfaces").
 * One TypeBox source gives the runtime validation (shared/src/http.ts), the
 * TypeScript types and the OpenAPI document.
 *
 * Addressing (spec §20.2): an item lives in a DynamoDB table under a partition
 * key and a numeric sort key (the item *index*). Local items use the platform
 * table and the partition key `<project>:<execution name>:<key>` (issue 11:
 * scoped by project; neither a project nor an execution name can contain `:`,
 * so the key is unambiguous); global items name the table and partition key
 * explicitly. Storage layout (generations, owners): services/state-data/src/StateDataService.ts.
 */
import { MAX_JSON_DEPTH } from '../jsonValue.ts';
import { Type, type Static } from '@sinclair/typebox';
import { PROJECT_NAME_PATTERN } from '../projectName.ts';

/**
 * Values whose JSON is larger than this many UTF-8 bytes are offloaded to the
 * blob store; the item keeps only the blob key, size and sha256.
 * Source: py2sfn-task-tools (spec §20.3), under DynamoDB's 400 KB item limit.
 */
export const OFFLOAD_THRESHOLD_BYTES = 390_000;

/** Largest value the service stores, in bytes of JSON (100 MiB; issue 3). */
export const MAX_VALUE_BYTES = 100 * 1024 * 1024;

/**
 * Largest request or response body the state data routes carry inline, in
 * bytes (5 MiB).
 *
 * Why not API Gateway's 10 MB: the routes are served by Lambda, whose
 * synchronous invocation payload (request *and* response event, headers
 * included) is limited to 6 MB. 5 MiB leaves room for the event envelope.
 * Bigger values go through presigned upload/download URLs.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const STATE_DATA_MAX_BODY_BYTES = 5 * 1024 * 1024;

/**
 * Deepest nesting of arrays and objects a stored value may have (a scalar is
 * depth 0, `[1]` depth 1). Values are stored as JSON text, so DynamoDB's own
 * 32-level limit for nested attributes does not apply; 100 keeps every reader
 * (Python's `json` recurses, its default recursion limit is 1000) safe.
 * Deeper values are a 400 `StateData.ValueTooDeep`.
 */
export const MAX_VALUE_DEPTH = MAX_JSON_DEPTH;

/**
 * Most elements one put_items request carries (issue 11). Longer lists are
 * split over several requests of one generation (`commit: false`, then the
 * `generation` returned, the last with `commit: true`); the clients do this.
 * More is a 413 `StateData.TooManyItems`.
 */
export const MAX_PUT_ITEMS_PER_REQUEST = 10_000;

/**
 * Most elements a put_items list may have in all (`startIndex + items.length`
 * of any request of a generation). The pointer carries one `1` per element
 * and a Step Functions state's input is at most 256 KiB, so a Map can iterate
 * about 130,000 of them; this bound is generous and keeps every number a safe integer.
 */
export const MAX_PUT_ITEMS_TOTAL = 1_000_000;

/**
 * How long one put_items request may spend writing before it gives up
 * without committing (the key still reads as before), in ms: below the
 * functions' 29 s timeout, leaving time to answer.
 */
export const PUT_ITEMS_DEADLINE_MS = 20_000;

/** Largest body of the upload-url routes (a tiny JSON request), in bytes. */
export const UPLOAD_URL_MAX_BODY_BYTES = 4 * 1024;

/**
 * A put_items generation id (issue 11): the service makes one per put_items
 * list; a list split over several requests names it in each of them.
 */
export const GENERATION_PATTERN = '^[0-9a-z]{8,40}$';

/** Default item lifetime, in seconds (7 days; spec §20.1 `ttl_days=7`). */
export const DEFAULT_TTL_SECONDS = 7 * 24 * 3600;

/** Longest accepted item lifetime, in seconds (366 days). */
export const MAX_TTL_SECONDS = 366 * 24 * 3600;

/** Lifetime of presigned upload/download URLs, in seconds (15 minutes). */
export const PRESIGNED_URL_TTL_SECONDS = 15 * 60;

/** Default platform table for local items. */
export const DEFAULT_STATE_DATA_TABLE = 'fluxio-state-data';

/** Appended to every 413: what to do instead of a big inline body. */
export const STATE_DATA_TOO_LARGE_HINT =
  'Send values above 5 MiB through a presigned URL instead: POST …/items/{key}/{index}/upload-url with {"sha256","sizeBytes"}, ' +
  'PUT the JSON bytes to the returned url, then PUT …/items/{key}/{index} with {"upload":{"sha256","sizeBytes"}} ' +
  '(the Fluxio TypeScript and Python clients do this automatically). For put_items, put large elements one index at a time.';

/** DynamoDB table names: 3–255 of `[a-zA-Z0-9_.-]`. @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html */
export const TABLE_NAME_PATTERN = '^[a-zA-Z0-9_.-]{3,255}$';
/** Project names: the same rule as the compiler's ({@link PROJECT_NAME_PATTERN}). */
export const STATE_DATA_PROJECT_PATTERN = PROJECT_NAME_PATTERN;
/**
 * Execution names: Step Functions allows 1–80 characters without whitespace,
 * brackets, wildcards, `"#%\^|~`$&,;:/` or control characters.
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 */
export const EXECUTION_NAME_PATTERN = '^[^\\s<>{}\\[\\]?*"#%\\\\^|~`$&,;:/\\u0000-\\u001f\\u007f-\\u009f]{1,80}$';
/**
 * Item keys (local items): 1–255 characters, none of `/ ? # %` (API Gateway
 * HTTP APIs decode the path before routing, so these would split or truncate
 * it) and no control characters.
 */
export const ITEM_KEY_PATTERN = '^[^/?#%\\u0000-\\u001f\\u007f]{1,255}$';
/** Characters a global partition key may not contain in a URL path (see {@link ITEM_KEY_PATTERN}). */
export const PARTITION_KEY_FORBIDDEN = /[/?#%\u0000-\u001f\u007f]/;
/** Item index (the numeric sort key): a non-negative integer up to 2^53 - 1, decimal, no leading zeros. */
export const ITEM_INDEX_PATTERN = '^(0|[1-9][0-9]{0,15})$';
/**
 * Largest partition key, in UTF-8 bytes: DynamoDB's 2048 minus room for the
 * generation suffix (`#<generation>`) the service appends in storage.
 */
export const MAX_PARTITION_KEY_BYTES = 2000;

const Generation = Type.String({
  pattern: GENERATION_PATTERN,
  description: 'Generation id returned by an uncommitted put_items request (`commit: false`).',
});
const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'Lower-case hex SHA-256 of the JSON bytes.' });
const TtlSeconds = Type.Integer({
  minimum: 1,
  maximum: MAX_TTL_SECONDS,
  description: `Item lifetime in seconds; the item reads as absent afterwards. Default ${DEFAULT_TTL_SECONDS} (7 days) or FLUXIO_STATE_DATA_TTL_SECONDS.`,
});

/** A reference to bytes already uploaded through a presigned URL. */
export const UploadedBlobSchema = Type.Object(
  { sha256: Sha256, sizeBytes: Type.Integer({ minimum: 1, maximum: MAX_VALUE_BYTES }) },
  { $id: 'UploadedBlob', additionalProperties: false },
);

/**
 * Body of `PUT …/items/{key}/{index}` and `PUT …/partitions/{partitionKey}/items/{index}`:
 * exactly one of `value` (any JSON value, `null` included) or `upload`.
 */
export const PutItemRequestSchema = Type.Object(
  {
    value: Type.Optional(Type.Unknown({ description: 'The value to store (any JSON).' })),
    upload: Type.Optional(UploadedBlobSchema),
    ttlSeconds: Type.Optional(TtlSeconds),
    generation: Type.Optional(
      Type.String({
        pattern: GENERATION_PATTERN,
        description: 'Write into this uncommitted put_items generation (an element too big for a put_items body) instead of the current items.',
      }),
    ),
  },
  { $id: 'PutItemRequest', additionalProperties: false },
);
export type PutItemRequest = Static<typeof PutItemRequestSchema>;

/**
 * Body of `PUT …/items/{key}` and `PUT …/partitions/{partitionKey}/items`:
 * element i is stored at index startIndex + i. A put_items list *replaces*
 * the key's items as a whole (issue 11): a single request (`commit` default
 * true) is visible all at once or not at all; a list too long for one
 * request is sent as several requests of one generation: the first with
 * `commit: false` (the answer carries `generation`), the next ones naming
 * that `generation`, the last with `commit: true`.
 */
export const PutItemsRequestSchema = Type.Object(
  {
    items: Type.Array(Type.Unknown(), {
      description: `The values; element i is stored under index startIndex + i. At most ${MAX_PUT_ITEMS_PER_REQUEST} per request.`,
    }),
    startIndex: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_PUT_ITEMS_TOTAL,
        description: `Index of the first element (a list split over several requests of one generation). Default 0; startIndex + items.length is at most ${MAX_PUT_ITEMS_TOTAL}.`,
      }),
    ),
    ttlSeconds: Type.Optional(TtlSeconds),
    generation: Type.Optional(Generation),
    commit: Type.Optional(
      Type.Boolean({ description: 'Make this generation the key\'s items when this request is written (default true); false for all but the last request of a split list.' }),
    ),
  },
  { $id: 'PutItemsRequest', additionalProperties: false },
);
export type PutItemsRequest = Static<typeof PutItemsRequestSchema>;

/** Body of `POST …/{index}/upload-url`. */
export const UploadUrlRequestSchema = Type.Object(
  { sha256: Sha256, sizeBytes: Type.Integer({ minimum: 1, description: `At most ${MAX_VALUE_BYTES} bytes (100 MiB); more is a 413.` }) },
  { $id: 'UploadUrlRequest', additionalProperties: false },
);
export type UploadUrlRequest = Static<typeof UploadUrlRequestSchema>;

/** Presigned upload: `PUT` the exact JSON bytes to `url` with `headers`, before `expiresAt`. */
export const UploadUrlResponseSchema = Type.Object(
  {
    url: Type.String(),
    method: Type.Literal('PUT'),
    headers: Type.Record(Type.String(), Type.String()),
    expiresAt: Type.Integer({ description: 'Epoch seconds.' }),
  },
  { $id: 'UploadUrlResponse' },
);
export type UploadUrlResponse = Static<typeof UploadUrlResponseSchema>;

/** Body of `POST /v1/projects/{project}/executions/{execution}/stop` (Step Functions StopExecution limits). */
export const StopExecutionRequestSchema = Type.Object(
  {
    error: Type.Optional(Type.String({ maxLength: 256, description: 'Short error code.' })),
    cause: Type.Optional(Type.String({ maxLength: 32768, description: 'Longer description.' })),
    executionArn: Type.Optional(
      Type.String({
        pattern: '^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:execution:[^:]+:[^:]+$',
        description: 'Full execution ARN (AWS target); its last segment must equal {execution}.',
      }),
    ),
  },
  { $id: 'StopExecutionRequest', additionalProperties: false },
);
export type StopExecutionRequest = Static<typeof StopExecutionRequestSchema>;

export const StopExecutionResponseSchema = Type.Object(
  { status: Type.Union([Type.Literal('stopped'), Type.Literal('already-finished')]) },
  { $id: 'StopExecutionResponse' },
);
export type StopExecutionResponse = Static<typeof StopExecutionResponseSchema>;

/**
 * Pointer returned by puts (spec §20.4). Local puts include `key`; global ones do not.
 * `put_items` adds `items: [1, 1, …]` (one per element), which a Map state iterates.
 */
export const ItemPointerSchema = Type.Object(
  {
    table_name: Type.String(),
    partition_key: Type.String(),
    key: Type.Optional(Type.String()),
    items: Type.Optional(Type.Array(Type.Literal(1))),
    generation: Type.Optional(Type.String({ description: 'Uncommitted put_items requests only: the generation to continue and commit.' })),
  },
  { $id: 'ItemPointer' },
);
export type ItemPointer = Static<typeof ItemPointerSchema>;

/** Where to fetch a value too big to return inline; the caller must check `sha256`. */
export const BlobDownloadSchema = Type.Object(
  {
    url: Type.String(),
    method: Type.Literal('GET'),
    sha256: Sha256,
    sizeBytes: Type.Integer(),
    expiresAt: Type.Integer({ description: 'Epoch seconds.' }),
  },
  { $id: 'BlobDownload' },
);
export type BlobDownload = Static<typeof BlobDownloadSchema>;

/** One stored value: inline, or a presigned download for values above 5 MiB. */
export const ItemValueSchema = Type.Union(
  [Type.Object({ value: Type.Unknown() }), Type.Object({ download: BlobDownloadSchema })],
  { $id: 'ItemValue' },
);
export type ItemValue = { value: unknown } | { download: BlobDownload };

/**
 * Response of the get-items routes: the stored values in index order, their
 * indexes, and `next` when the 5 MiB response budget ran out (fetch the rest
 * with `?after=<next>`).
 */
export const GetItemsResponseSchema = Type.Object(
  {
    items: Type.Array(ItemValueSchema),
    indexes: Type.Array(Type.Integer()),
    next: Type.Optional(Type.Integer({ description: 'More items follow: repeat the request with ?after=<next>&generation=<generation>.' })),
    generation: Type.Optional(
      Type.String({ description: 'With `next`: the generation read; pass it back so every page comes from one put_items (409 `StateData.ItemsReplaced` if it was replaced meanwhile: read again from the start).' }),
    ),
  },
  { $id: 'GetItemsResponse' },
);
export type GetItemsResponse = { items: ItemValue[]; indexes: number[]; next?: number; generation?: string };
