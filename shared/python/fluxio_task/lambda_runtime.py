"""Runs a Lambda function's handler inside a local worker (the local Lambda API).

The worker (``fluxio_task.worker``) calls :func:`invoke_lambda` for requests of
kind ``"lambda"``::

    {"kind": "lambda", "lambda": {
        "codeDir": "/.../lambda/<name>/<sha>",   # the unpacked zip (LAMBDA_TASK_ROOT)
        "handler": "app.handler",                # module path + function, as Lambda's Handler
        "environmentKey": "...",                 # changes when code or configuration change
        "payload": "<JSON text>",                # the event (Invoke's Payload; "" means {})
        "environment": {...},                    # the function's variables + AWS_LAMBDA_* ones
        "functionName", "functionVersion", "invokedFunctionArn",
        "memoryLimitInMB", "requestId", "deadlineMs", "logGroupName",
        "logStreamName", "clientContext"}}

and sends back ``{"payload": "<JSON text>"}`` or ``{"error": {"errorMessage",
"errorType", "requestId", "stackTrace"}}`` (the Lambda Python runtime's error
shape) as the request's result.

Like a Lambda execution environment, a worker keeps the function's modules
imported between invocations of the same function version and configuration
(``environmentKey``), and forgets them when it serves another one: modules
loaded from the previous code directory are removed from ``sys.modules`` and
the directory from ``sys.path``, so two functions that both ship an
``app.py`` never see each other's code. The handler runs with the function's
environment variables in ``os.environ`` and its code directory as the current
directory; both are restored afterwards.
"""

import importlib
import json
import os
import sys
import time
import asyncio
import traceback

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
# Frames of the runtime and of asyncio (which runs an async ``run``) are left out of stack traces.
_ASYNCIO_DIR = os.path.dirname(os.path.abspath(asyncio.__file__))

# Environment variables of the worker process a function also sees (as Lambda's
# runtime has PATH, LANG, LD_LIBRARY_PATH; credentials the platform was given).
_KEPT_VARIABLES = (
    "PATH",
    "LANG",
    "LD_LIBRARY_PATH",
    "PYTHONPATH",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL",
    "FLUXIO_STATE_DATA_URL",
)

_loaded = {"key": None, "dir": None, "handlers": {}}


class ClientContext:
    """``context.client_context``: the caller's ``X-Amz-Client-Context`` (``client``, ``custom``, ``env``)."""

    def __init__(self, raw):
        raw = raw if isinstance(raw, dict) else {}
        self.client = raw.get("client")
        self.custom = raw.get("custom")
        self.env = raw.get("env")


class LambdaContext:
    """The ``context`` argument of a Lambda handler (same attributes as AWS's Python runtime)."""

    def __init__(self, spec):
        self.function_name = spec.get("functionName")
        self.function_version = spec.get("functionVersion")
        self.invoked_function_arn = spec.get("invokedFunctionArn")
        # AWS's runtime exposes the memory size as a string (from AWS_LAMBDA_FUNCTION_MEMORY_SIZE).
        self.memory_limit_in_mb = str(spec.get("memoryLimitInMB"))
        self.aws_request_id = spec.get("requestId")
        self.log_group_name = spec.get("logGroupName")
        self.log_stream_name = spec.get("logStreamName")
        self.identity = None
        self.client_context = ClientContext(spec["clientContext"]) if spec.get("clientContext") is not None else None
        self.tenant_id = None
        self._deadline_ms = int(spec.get("deadlineMs") or 0)

    def get_remaining_time_in_millis(self):
        """Milliseconds left before the function's Timeout ends the invocation."""
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def log(self, message):
        sys.stdout.write(str(message))

    def __repr__(self):
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},"
            f"log_group_name={self.log_group_name},function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn}])"
        )


class _HandlerError(Exception):
    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


def _under(path, directory):
    try:
        return os.path.abspath(path).startswith(directory + os.sep)
    except (TypeError, ValueError):
        return False


def _forget(directory):
    """Removes every module loaded from ``directory`` and the directory from ``sys.path``."""
    for name, module in list(sys.modules.items()):
        files = [getattr(module, "__file__", None)] + list(getattr(module, "__path__", None) or [])
        if any(f and _under(f, directory) for f in files):
            del sys.modules[name]
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != directory]
    sys.path_importer_cache.pop(directory, None)
    importlib.invalidate_caches()


def _activate(key, code_dir):
    if _loaded["key"] == key:
        return
    if _loaded["dir"] is not None:
        _forget(_loaded["dir"])
    sys.path.insert(0, code_dir)
    importlib.invalidate_caches()
    _loaded.update(key=key, dir=code_dir, handlers={})


def _load_handler(handler):
    fn = _loaded["handlers"].get(handler)
    if fn is not None:
        return fn
    module_path, sep, function_name = (handler or "").rpartition(".")
    if not sep or not module_path or not function_name:
        raise _HandlerError(
            "Runtime.MalformedHandlerName",
            f"Bad handler '{handler}': not enough values to unpack (expected 2, got 1)",
        )
    module_name = module_path.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise _HandlerError("Runtime.ImportModuleError", f"Unable to import module '{module_path}': {exc}") from None
    except SyntaxError as exc:
        raise _HandlerError("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_path}': {exc}") from None
    fn = getattr(module, function_name, None)
    if fn is None:
        raise _HandlerError(
            "Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_path}'"
        )
    _loaded["handlers"][handler] = fn
    return fn


def _stack_trace(exc):
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if not _under(f.filename, _PACKAGE_DIR) and not _under(f.filename, _ASYNCIO_DIR)
    ]
    return traceback.format_list(frames)


def _error(exc, request_id):
    if isinstance(exc, _HandlerError):
        error_type, message, stack = exc.error_type, str(exc), []
    else:
        error_type, message, stack = type(exc).__name__, str(exc), _stack_trace(exc)
    error = {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": stack}
    # What Lambda's Python runtime logs for an unhandled error.
    sys.stderr.write(f"[ERROR] {error_type}: {message}\n" + "".join(["Traceback (most recent call last):\n"] + stack if stack else []))
    return {"error": error}


def invoke_lambda(msg):
    """Runs one invocation; returns ``{"payload": text}`` or ``{"error": {...}}`` (never raises for user errors)."""
    spec = msg.get("lambda") or {}
    code_dir = os.path.abspath(spec["codeDir"])
    request_id = spec.get("requestId")
    saved_env = dict(os.environ)
    saved_cwd = os.getcwd()
    env = {k: saved_env[k] for k in _KEPT_VARIABLES if k in saved_env}
    env.update({str(k): str(v) for k, v in (spec.get("environment") or {}).items()})
    os.environ.clear()
    os.environ.update(env)
    try:
        os.chdir(code_dir)
        _activate(spec.get("environmentKey") or code_dir, code_dir)
        try:
            text = spec.get("payload") or ""
            event = json.loads(text) if text.strip() else {}
            fn = _load_handler(spec.get("handler"))
            result = fn(event, LambdaContext(spec))
        except Exception as exc:  # noqa: BLE001 - every handler failure is the invocation's error
            return _error(exc, request_id)
        try:
            return {"payload": json.dumps(result)}
        except (TypeError, ValueError) as exc:
            if hasattr(result, "close") and hasattr(result, "cr_frame"):
                result.close()  # an `async def` handler: Lambda's Python runtime cannot await it either
            return _error(_HandlerError("Runtime.MarshalError", f"Unable to marshal response: {exc}"), request_id)
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        try:
            os.chdir(saved_cwd)
        except OSError:
            pass
