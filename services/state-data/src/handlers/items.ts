/**
 * Lambda handler of every item route (local and global items, upload URLs).
 * One function serves them all and dispatches on the API Gateway route key,
 * so the deployed stack and the local server run the same code.
 * Routes: shared/src/routes.ts (STATE_DATA_ITEM_ROUTES).
 */
import type { Context } from 'aws-lambda';
import { jsonHandler, errorResponse, type HttpEvent, type HttpRequest, type HttpResult } from '@fluxio/contracts/http';
import {
  PutItemRequestSchema,
  PutItemsRequestSchema,
  UploadUrlRequestSchema,
  STATE_DATA_MAX_BODY_BYTES,
  STATE_DATA_TOO_LARGE_HINT,
  UPLOAD_URL_MAX_BODY_BYTES,
  GENERATION_PATTERN,
} from '@fluxio/contracts/schemas/stateData';
import { STATE_DATA_ROUTE_PATHS as P } from '@fluxio/contracts/routes';
import { getService } from '../serviceRegistry.ts';
import { assertPutItemsBounds, type ReadValue } from '../StateDataService.ts';
import type { ItemAddress } from '../ports.ts';
import { StateDataError } from '../errors.ts';
import { HttpError } from '@fluxio/contracts/errors';
import { checkJsonValue, itemAddress, partitionOf, parseIndex, projectOf, requestOrigin, withDomainErrors } from './common.ts';

const GENERATION = new RegExp(GENERATION_PATTERN);

const limits = { maxBodyBytes: STATE_DATA_MAX_BODY_BYTES, tooLargeHint: STATE_DATA_TOO_LARGE_HINT };

/** `{"value":…}` or `{"download":…}` as JSON text, without re-serialising the stored JSON. */
const renderValue = (v: ReadValue): string => ('json' in v ? `{"value":${v.json}}` : JSON.stringify({ download: v.download }));

/** The pointer a put returns (spec §20.4): local pointers carry `key`, global ones do not. */
function pointer(req: HttpRequest<unknown>, address: { tableName: string; partitionKey: string }, count?: number, generation?: string) {
  const key = req.pathParameters.key;
  return {
    table_name: address.tableName,
    partition_key: address.partitionKey,
    ...(key !== undefined ? { key } : {}),
    ...(count !== undefined ? { items: new Array<1>(count).fill(1) } : {}),
    ...(generation !== undefined ? { generation } : {}),
  };
}

const putItem = jsonHandler({ bodySchema: PutItemRequestSchema, ...limits }, (req) =>
  withDomainErrors(async () => {
    const address = itemAddress(req.pathParameters, getService().defaultTableName);
    const hasValue = Object.prototype.hasOwnProperty.call(req.body, 'value');
    if (hasValue === (req.body.upload !== undefined))
      throw new StateDataError(
        'Request.Invalid',
        400,
        'Send exactly one of "value" (the JSON value to store) or "upload" ({"sha256","sizeBytes"} of bytes uploaded through …/upload-url).',
      );
    const project = projectOf(req.pathParameters);
    if (req.body.upload) await getService().commitUpload(project, address, req.body.upload, req.body.ttlSeconds, req.body.generation);
    else {
      checkJsonValue(req.body.value, '/value');
      await getService().putItem(project, address, JSON.stringify(req.body.value), req.body.ttlSeconds, req.body.generation);
    }
    return { body: pointer(req, address) };
  }),
);

const getItem = jsonHandler({}, (req) =>
  withDomainErrors(async () => {
    const address = itemAddress(req.pathParameters, getService().defaultTableName);
    const value = await getService().getItem(address, requestOrigin(req.headers));
    return { body: undefined, rawJson: renderValue(value) };
  }),
);

const putItems = jsonHandler({ bodySchema: PutItemsRequestSchema, ...limits }, (req) =>
  withDomainErrors(async () => {
    const partition = partitionOf(req.pathParameters, getService().defaultTableName);
    const project = projectOf(req.pathParameters);
    const { items, startIndex = 0 } = req.body;
    assertPutItemsBounds(items.length, startIndex); // before looking at the values
    for (let i = 0; i < items.length; i++) checkJsonValue(items[i], `/items/${i}`);
    const out = await getService().putItems(
      project,
      partition.tableName,
      partition.partitionKey,
      items.map((v) => JSON.stringify(v)),
      { ttlSeconds: req.body.ttlSeconds, startIndex, generation: req.body.generation, commit: req.body.commit },
    );
    return { body: pointer(req, partition, startIndex + items.length, out.generation) };
  }),
);

const getItems = jsonHandler({}, (req) =>
  withDomainErrors(async () => {
    const partition = partitionOf(req.pathParameters, getService().defaultTableName);
    const after = req.query.after === undefined ? undefined : parseIndex(req.query.after, 'after');
    const generation = req.query.generation;
    if (generation !== undefined && !GENERATION.test(generation))
      throw new HttpError(400, 'Request.InvalidQuery', `Query parameter generation=${JSON.stringify(generation)} is not a generation id; pass back the "generation" of the previous page.`);
    const page = await getService().getItems(partition.tableName, partition.partitionKey, requestOrigin(req.headers), after, generation);
    const rawJson =
      `{"items":[${page.values.map(renderValue).join(',')}],"indexes":${JSON.stringify(page.indexes)}` +
      (page.next !== undefined ? `,"next":${page.next},"generation":${JSON.stringify(page.generation)}}` : '}');
    return { body: undefined, rawJson };
  }),
);

const uploadUrl = jsonHandler({ bodySchema: UploadUrlRequestSchema, maxBodyBytes: UPLOAD_URL_MAX_BODY_BYTES }, (req) =>
  withDomainErrors(async () => {
    const address: ItemAddress = itemAddress(req.pathParameters, getService().defaultTableName);
    return { body: await getService().createUploadUrl(projectOf(req.pathParameters), address, req.body, requestOrigin(req.headers)) };
  }),
);

type Handler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/** Route key (`METHOD /path`) → handler. */
export const ITEM_HANDLERS: Record<string, Handler> = {
  [`PUT ${P.localItem}`]: putItem,
  [`GET ${P.localItem}`]: getItem,
  [`PUT ${P.localItems}`]: putItems,
  [`GET ${P.localItems}`]: getItems,
  [`POST ${P.localUploadUrl}`]: uploadUrl,
  [`PUT ${P.globalItem}`]: putItem,
  [`GET ${P.globalItem}`]: getItem,
  [`PUT ${P.globalItems}`]: putItems,
  [`GET ${P.globalItems}`]: getItems,
  [`POST ${P.globalUploadUrl}`]: uploadUrl,
};

/** The Lambda entry point of function `stateDataItems`: dispatch on `event.routeKey`. */
export const handler = async (event: HttpEvent, context: Context): Promise<HttpResult> => {
  const route = ITEM_HANDLERS[event.routeKey];
  if (!route) return errorResponse(404, 'Route.NotFound', `No state data route ${event.routeKey}.`);
  return route(event, context);
};
