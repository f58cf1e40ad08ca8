"""Small JSON-over-HTTP helper for the state data client (stdlib only).

Requests to the Fluxio API are signed with SigV4 (service ``execute-api``) when
IAM auth is in use and ``botocore`` is importable (the Lambda Python runtime
ships it); presigned URLs are never signed again.
"""

import json
import os
import random
import time
import urllib.error
import urllib.parse
import urllib.request

#: Attempts per request for network errors, 429 and transient 5xx (py2sfn-task-tools: 5 tries).
MAX_ATTEMPTS = 5
#: First backoff, seconds (doubles, full jitter, capped at 4 s).
BASE_DELAY_SECONDS = 0.2
#: Error codes that are never retried (the data, not the service, is at fault).
_PERMANENT_CODES = {"StateData.IntegrityError", "StateData.BlobMissing"}
_LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


class HttpFailure(Exception):
    """A non-2xx answer (or no answer: status 0)."""

    def __init__(self, status, code, message, details=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.details = details


def _signing_enabled(url):
    mode = os.environ.get("FLUXIO_STATE_DATA_AUTH", "").lower()
    if mode in ("none", "off", "0"):
        return False
    if mode == "iam":
        return True
    host = urllib.parse.urlsplit(url).hostname or ""
    return host not in _LOOPBACK


def _region_for(url):
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region:
        return region
    # https://<api-id>.execute-api.<region>.amazonaws.com
    parts = (urllib.parse.urlsplit(url).hostname or "").split(".")
    if "execute-api" in parts:
        i = parts.index("execute-api")
        if i + 1 < len(parts):
            return parts[i + 1]
    return "us-east-1"


def sign_headers(method, url, headers, body):
    """Headers with a SigV4 ``Authorization`` for API Gateway IAM auth, when enabled.

    Returns ``headers`` unchanged when signing is off (loopback URL, or
    ``FLUXIO_STATE_DATA_AUTH=none``), botocore is missing, or no credentials
    are found.
    """
    if not _signing_enabled(url):
        return headers
    try:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.session import get_session
    except ImportError:
        return headers
    credentials = get_session().get_credentials()
    if credentials is None:
        return headers
    request = AWSRequest(method=method, url=url, data=body or b"", headers=dict(headers))
    SigV4Auth(credentials.get_frozen_credentials(), "execute-api", _region_for(url)).add_auth(request)
    return dict(request.headers.items())


def _send(method, url, body, headers, timeout):
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _parse_error(status, raw, method, url):
    try:
        err = json.loads(raw.decode("utf-8")).get("error") or {}
    except (ValueError, AttributeError, UnicodeDecodeError):
        err = {}
    message = err.get("message") or "%s %s answered %d: %s" % (method, url, status, raw[:200].decode("utf-8", "replace"))
    return HttpFailure(status, err.get("code") or "Http.%d" % status, message, err.get("details"))


def request(method, url, body=None, *, headers=None, sign=True, timeout=60.0, raw=False):
    """Send a request, retrying network errors, 429 and transient 5xx with backoff.

    Args:
        body: bytes to send (JSON text for API calls, raw bytes for presigned URLs).
        sign: sign with SigV4 when IAM auth is in use (False for presigned URLs).
        raw: return the response bytes instead of parsed JSON.

    Raises:
        HttpFailure: on a 4xx, or once retries are exhausted.
    """
    headers = dict(headers or {})
    if body is not None and "content-type" not in {k.lower() for k in headers}:
        headers["content-type"] = "application/json"
    last = None
    for attempt in range(MAX_ATTEMPTS):
        send_headers = sign_headers(method, url, headers, body) if sign else headers
        try:
            status, data = _send(method, url, body, send_headers, timeout)
        except (urllib.error.URLError, OSError) as e:
            last = HttpFailure(0, "Client.Network", "%s %s failed: %s" % (method, url, e))
        else:
            if 200 <= status < 300:
                if raw:
                    return data
                return json.loads(data.decode("utf-8")) if data else None
            last = _parse_error(status, data, method, url)
            if not (status == 429 or status >= 500) or last.code in _PERMANENT_CODES:
                raise last
        if attempt + 1 < MAX_ATTEMPTS:
            time.sleep(random.uniform(0, min(4.0, BASE_DELAY_SECONDS * 2 ** attempt)))
    raise last
