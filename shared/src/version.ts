/** Version of the HTTP API served (the `/v1` prefix), in the OpenAPI document and `GET /v1/health`. */
export const API_VERSION = '1.0.0';
