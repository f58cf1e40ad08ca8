"""The state data client task code uses as ``context.state_data_client``.

Same method names and semantics as py2sfn-task-tools' ``StateDataClient``
(Fluxio spec section 20.4), talking to the Fluxio state data HTTP API instead
of DynamoDB and S3 directly. Standard library only (``urllib``, ``json``,
``hashlib``); requests are signed with SigV4 when ``botocore`` is importable
and the API is not on loopback (see ``_http``).

Pointers returned by puts are the original shapes::

    put_item / put_item_for_map_iteration -> {"table_name", "partition_key", "key"}
    put_items                             -> {"table_name", "partition_key", "key", "items": [1, 1, ...]}
    put_global_item(_for_map_iteration)   -> {"table_name", "partition_key"}
    put_global_items                      -> {"table_name", "partition_key", "items": [1, 1, ...]}

Local items live under partition key ``<project>:<namespace>:<key>`` (scoped
by project). ``put_items`` replaces the key's items as a whole: readers see
the old list or the new one, never a mix. A list too long for one request
(5 MiB of JSON or 10,000 elements) is sent as several requests of one
*generation* that the last request commits, so it stays all-or-nothing.

Values whose JSON is above the HTTP body limit (5 MiB) travel through
presigned upload/download URLs, checked against their SHA-256; values up to
100 MiB are supported.
"""

import asyncio
import hashlib
import json
import os
import urllib.parse

from . import _http

#: Largest inline request body, bytes (the service's limit: Lambda's 6 MB payload minus the event envelope).
MAX_BODY_BYTES = 5 * 1024 * 1024
#: Most elements one put_items request carries (the service's MAX_PUT_ITEMS_PER_REQUEST).
MAX_ITEMS_PER_REQUEST = 10_000
#: Bytes reserved in a body for everything but the values.
_ENVELOPE_BYTES = 256


class StateDataClientError(Exception):
    """A state data call failed. ``status`` is the HTTP status (0: no answer), ``code`` the API error code."""

    def __init__(self, message, status=0, code="StateData.Error", details=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.details = details


class NoItemFound(StateDataClientError):
    """The item does not exist or has expired (the message names partition key, sort key and table)."""


def _quote(segment):
    return urllib.parse.quote(str(segment), safe="")


def _to_json(value):
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError as e:  # NaN / Infinity are not JSON
        raise TypeError("Value is not JSON-serialisable: %s" % e) from None


def _index(index):
    if isinstance(index, bool):
        raise TypeError("index must be an int, not bool")
    try:
        value = int(index)
    except (TypeError, ValueError):
        raise TypeError("index must be a whole number >= 0, not %r" % (index,)) from None
    if value < 0 or value != float(index):
        raise ValueError("index must be a whole number >= 0, not %r" % (index,))
    return value


def _map_field(event, name):
    try:
        return event[name]
    except (KeyError, TypeError):
        raise StateDataClientError(
            "The event has no %s: call this inside a Map iteration over a put_items pointer." % name,
            code="Client.NotMapIteration",
        ) from None


class StateDataClient:
    """Put and get items (local, global, map-iteration) and stop the execution.

    Args:
        base_url: base URL of the Fluxio HTTP API, e.g. ``http://127.0.0.1:4510``.
        project: the project name (routes are scoped by project).
        namespace: the execution name; local items live under ``<project>:<namespace>:<key>``.
        table_name: store local items in this table instead of the platform table.
        ttl_days: item lifetime in days; ``None``/default uses the service default (7 days).
        execution_arn: the execution ARN, needed by ``stop_execution`` on AWS
            (default: ``FLUXIO_EXECUTION_ARN``).
        timeout: seconds per HTTP request.
    """

    def __init__(self, base_url, project, namespace, table_name=None, ttl_days=None, *, execution_arn=None, timeout=120.0):
        if not base_url:
            raise ValueError("base_url is required (FLUXIO_STATE_DATA_URL)")
        if not project:
            raise ValueError("project is required (FLUXIO_PROJECT)")
        self.base_url = base_url.rstrip("/")
        self.project = project
        self.namespace = namespace
        self.table_name = table_name
        self.ttl_days = ttl_days
        self.execution_arn = execution_arn or os.environ.get("FLUXIO_EXECUTION_ARN") or None
        self.timeout = timeout

    @classmethod
    def from_env(cls):
        """Build a client from ``FLUXIO_STATE_DATA_URL``, ``FLUXIO_PROJECT``,
        ``FLUXIO_EXECUTION_NAME`` and optional ``FLUXIO_STATE_DATA_TABLE``,
        ``FLUXIO_STATE_DATA_TTL_DAYS``, ``FLUXIO_EXECUTION_ARN``."""
        ttl = os.environ.get("FLUXIO_STATE_DATA_TTL_DAYS")
        return cls(
            os.environ.get("FLUXIO_STATE_DATA_URL", ""),
            os.environ.get("FLUXIO_PROJECT", ""),
            os.environ.get("FLUXIO_EXECUTION_NAME"),
            table_name=os.environ.get("FLUXIO_STATE_DATA_TABLE") or None,
            ttl_days=float(ttl) if ttl else None,
        )

    # ---- transport -----------------------------------------------------

    def _call(self, method, path, body=None):
        data = body.encode("utf-8") if isinstance(body, str) else body
        try:
            return _http.request(method, self.base_url + path, data, timeout=self.timeout)
        except _http.HttpFailure as e:
            cls = NoItemFound if e.status == 404 and e.code == "StateData.NoItemFound" else StateDataClientError
            raise cls(str(e), e.status, e.code, e.details) from None

    def _ttl_part(self):
        if self.ttl_days is None:
            return ""
        return ',"ttlSeconds":%d' % max(1, int(round(float(self.ttl_days) * 86400)))

    def _local_path(self, key):
        if not self.namespace:
            raise StateDataClientError(
                "Local items need the execution name (namespace / FLUXIO_EXECUTION_NAME).", code="Client.NoExecution"
            )
        if self.table_name:
            return self._global_path(self.table_name, "%s:%s:%s" % (self.project, self.namespace, key))
        return "/v1/projects/%s/executions/%s/items/%s" % (_quote(self.project), _quote(self.namespace), _quote(key))

    def _global_path(self, table_name, partition_key):
        return "/v1/projects/%s/tables/%s/partitions/%s/items" % (
            _quote(self.project),
            _quote(table_name),
            _quote(partition_key),
        )

    def _put_one(self, path, index, text, generation=None):
        """Store one value (JSON text); through a presigned URL when too big for a body; into ``generation`` when given."""
        data = text.encode("utf-8")
        extra = self._ttl_part() + ("" if generation is None else ',"generation":"%s"' % generation)
        if len(data) + _ENVELOPE_BYTES <= MAX_BODY_BYTES:
            return self._call("PUT", "%s/%d" % (path, index), '{"value":%s%s}' % (text, extra))
        sha256 = hashlib.sha256(data).hexdigest()
        grant = self._call(
            "POST", "%s/%d/upload-url" % (path, index), json.dumps({"sha256": sha256, "sizeBytes": len(data)})
        )
        try:
            _http.request("PUT", grant["url"], data, headers=grant.get("headers") or {}, sign=False, timeout=self.timeout, raw=True)
        except _http.HttpFailure as e:
            raise StateDataClientError("Upload to the presigned URL failed: %s" % e, e.status, "Client.UploadFailed") from None
        upload = '{"upload":{"sha256":"%s","sizeBytes":%d}%s}' % (sha256, len(data), extra)
        return self._call("PUT", "%s/%d" % (path, index), upload)

    def _put_many(self, path, items):
        """Replace the items at ``path`` as one put_items: one request when the list fits,
        else several requests of one generation that the last one commits."""
        texts = [_to_json(v) for v in items]
        steps = []  # ("batch", start, [texts]) or ("one", index, text)
        chunk, start, size = [], 0, 0
        for i, text in enumerate(texts):
            n = len(text.encode("utf-8")) + 1
            if n + _ENVELOPE_BYTES > MAX_BODY_BYTES:
                if chunk:
                    steps.append(("batch", start, chunk))
                steps.append(("one", i, text))
                chunk, start, size = [], i + 1, 0
                continue
            if chunk and (size + n + _ENVELOPE_BYTES > MAX_BODY_BYTES or len(chunk) >= MAX_ITEMS_PER_REQUEST):
                steps.append(("batch", start, chunk))
                chunk, start, size = [], i, 0
            chunk.append(text)
            size += n
        if chunk or not steps:
            steps.append(("batch", start, chunk))

        def send(first, values, generation, commit):
            body = '{"items":[%s],"startIndex":%d%s' % (",".join(values), first, self._ttl_part())
            if generation is not None:
                body += ',"generation":"%s"' % generation
            if not commit:
                body += ',"commit":false'
            return self._call("PUT", path, body + "}")

        if len(steps) == 1 and steps[0][0] == "batch":
            pointer = send(steps[0][1], steps[0][2], None, True)
        else:
            generation = None
            for kind, where, what in steps:
                if kind == "batch":
                    generation = send(where, what, generation, False).get("generation", generation)
                else:
                    if generation is None:
                        generation = send(0, [], None, False)["generation"]
                    self._put_one(path, where, what, generation)
            pointer = send(len(texts), [], generation, True)  # one conditional write makes the whole list current
        result = {"table_name": pointer["table_name"], "partition_key": pointer["partition_key"]}
        result["items"] = [1] * len(texts)
        return result

    def _download(self, d):
        try:
            data = _http.request("GET", d["url"], sign=False, timeout=self.timeout, raw=True)
        except _http.HttpFailure as e:
            raise StateDataClientError("Download from the presigned URL failed: %s" % e, e.status, "Client.DownloadFailed") from None
        sha256 = hashlib.sha256(data).hexdigest()
        if sha256 != d["sha256"] or len(data) != d["sizeBytes"]:
            raise StateDataClientError(
                "Downloaded value does not match its record: expected %d bytes with sha256 %s, got %d bytes with sha256 %s."
                % (d["sizeBytes"], d["sha256"], len(data), sha256),
                code="StateData.IntegrityError",
            )
        return json.loads(data.decode("utf-8"))

    def _resolve(self, item):
        return self._download(item["download"]) if "download" in item else item["value"]

    def _get_one(self, path, index):
        return self._resolve(self._call("GET", "%s/%d" % (path, index)))

    def _get_many(self, path):
        """Every value at ``path``, all pages from one put_items (read again when it was replaced while paging)."""
        for attempt in range(5):
            values, cursor = [], None
            try:
                while True:
                    page = self._call("GET", path if cursor is None else "%s?%s" % (path, cursor))
                    values.extend(self._resolve(item) for item in page["items"])
                    if page.get("next") is None:
                        return values
                    cursor = "after=%d" % page["next"]
                    if page.get("generation"):
                        cursor += "&generation=%s" % _quote(page["generation"])
            except StateDataClientError as e:
                if e.code != "StateData.ItemsReplaced" or attempt == 4:
                    raise

    def _local_pointer(self, pointer, key):
        out = {"table_name": pointer["table_name"], "partition_key": pointer["partition_key"], "key": key}
        if "items" in pointer:
            out["items"] = pointer["items"]
        return out

    # ---- local items ----------------------------------------------------

    def put_item(self, key, data, index=0):
        """Store ``data`` under ``key`` at ``index`` (default 0). Returns ``{"table_name", "partition_key", "key"}``."""
        return self._local_pointer(self._put_one(self._local_path(key), _index(index), _to_json(data)), key)

    def put_items(self, key, items):
        """Store ``items[i]`` at index ``i``. Returns the pointer with ``"items": [1, ...]`` a Map state iterates."""
        return self._local_pointer(self._put_many(self._local_path(key), list(items)), key)

    def get_item(self, key, index=0):
        """The value under ``key`` at ``index`` (consistent read). Raises :class:`NoItemFound`."""
        return self._get_one(self._local_path(key), _index(index))

    def get_items(self, key):
        """Every value under ``key``, in index order (consistent); ``[]`` when none."""
        return self._get_many(self._local_path(key))

    def put_item_for_map_iteration(self, event, item):
        """``put_item(event["items_result_key"], item, event["context_index"])``."""
        return self.put_item(_map_field(event, "items_result_key"), item, _map_field(event, "context_index"))

    def get_item_for_map_iteration(self, event):
        """``get_item(event["items_result_key"], index=event["context_index"])``."""
        return self.get_item(_map_field(event, "items_result_key"), _map_field(event, "context_index"))

    # ---- global items ---------------------------------------------------

    def put_global_item(self, table_name, partition_key, data, index=0):
        """Store in the named table (the original wrote to its default table; fixed). Returns ``{"table_name", "partition_key"}``."""
        pointer = self._put_one(self._global_path(table_name, partition_key), _index(index), _to_json(data))
        return {"table_name": pointer["table_name"], "partition_key": pointer["partition_key"]}

    def put_global_items(self, table_name, partition_key, items):
        """Store ``items[i]`` at index ``i`` of the named table. Returns ``{"table_name", "partition_key", "items"}``."""
        return self._put_many(self._global_path(table_name, partition_key), list(items))

    def get_global_item(self, table_name, partition_key, index=0):
        """The value at ``index`` of any project's partition. Raises :class:`NoItemFound`."""
        return self._get_one(self._global_path(table_name, partition_key), _index(index))

    def get_global_items(self, table_name, partition_key):
        """Every value of the partition, in index order; ``[]`` when none."""
        return self._get_many(self._global_path(table_name, partition_key))

    def get_global_item_for_map_iteration(self, event):
        """Locate the item from a Map iteration's input, in whichever project stored it."""
        return self.get_global_item(
            _map_field(event, "items_result_table_name"),
            _map_field(event, "items_result_partition_key"),
            _map_field(event, "context_index"),
        )

    def put_global_item_for_map_iteration(self, event, item):
        """``put_global_item(table, partition key, item, event["context_index"])`` from a Map iteration's input."""
        return self.put_global_item(
            _map_field(event, "items_result_table_name"),
            _map_field(event, "items_result_partition_key"),
            item,
            _map_field(event, "context_index"),
        )

    # ---- stop -----------------------------------------------------------

    def _stop(self, error, cause):
        if not self.namespace:
            raise StateDataClientError("stop_execution needs the execution name (FLUXIO_EXECUTION_NAME).", code="Client.NoExecution")
        body = {}
        if error is not None:
            body["error"] = str(error)
        if cause is not None:
            body["cause"] = str(cause)
        if self.execution_arn:
            body["executionArn"] = self.execution_arn
        path = "/v1/projects/%s/executions/%s/stop" % (_quote(self.project), _quote(self.namespace))
        return self._call("POST", path, json.dumps(body))["status"]

    async def stop_execution(self, error=None, cause=None):
        """Stop this execution (status ABORTED) with an optional ``error`` and ``cause``.

        Stopping an execution that already finished is not an error. Returns
        ``"stopped"`` or ``"already-finished"``.
        """
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self._stop, error, cause)


__all__ = ["StateDataClient", "StateDataClientError", "NoItemFound"]
