"""``TaskWorker`` (the base class of ``ecs:worker`` task code) and the local
worker process used by ``fluxio run``.

Local worker protocol (JSON lines; requests on stdin, replies on the original
stdout, which is moved to a private descriptor so that ``print()`` in task code
goes to stderr and never corrupts the protocol):

* ``{"op": "invoke", "id": n, "kind": "run" | "worker", "source", "filename",
  "firstLine", "spec", "event", "meta", "project", "stateDataUrl", "heartbeat"}``
  or ``{"op": "invoke", "id": n, "kind": "lambda", "lambda": {...}}`` (a Lambda
  function of the local Lambda API: see ``fluxio_task.lambda_runtime``)
* ``{"op": "shutdown"}`` (``on_cleanup`` of every loaded TaskWorker, then exit;
  end of input does the same).

Replies: ``{"op": "ready"}`` once at start, ``{"id", "ok": true, "result"}``,
``{"id", "ok": false, "error": {"type", "message", "traceback"}}`` and
``{"id", "op": "heartbeat"}`` while a task reports being alive, and
``{"id", "op": "output", "line"}`` for what the task prints (sys.stdout and
sys.stderr are redirected into the protocol while it runs, so its output
stays in order with its reply; lines longer than 8 KiB are split; writes
straight to file descriptor 1 or 2 go to the worker's stderr, where the
worker ends each task with ``TASK_END_MARKER + id`` on a line of its own so
the runner gives those lines to the task that wrote them).

Limits: with ``"maxResultBytes"`` in the request, a result whose JSON (UTF-8)
is larger fails the task with ``States.DataLimitExceeded`` instead of being
sent; error messages and tracebacks are cut to 32,768 characters.

While a task runs, ``FLUXIO_PROJECT``, ``FLUXIO_EXECUTION_NAME`` and
``FLUXIO_STATE_DATA_URL`` are set for it (``StateDataClient.from_env()``).
The worker exits by itself when the process that started it is gone (a
watchdog thread; on Linux also ``PR_SET_PDEATHSIG``), even in a long task.
"""

import asyncio
import importlib
import io
import json
import logging
import os
import sys
import threading
import time
import traceback

from .context import TaskContext

#: Ends each task on the worker's stderr (file descriptor 2): ``\x1efluxio-task-end <id>``.
TASK_END_MARKER = "\x1efluxio-task-end "
#: Longest ``output`` line sent (longer writes are split), in characters.
OUTPUT_LINE_MAX_CHARS = 8192
#: Longest error message / traceback sent (Step Functions' cause limit), in characters.
ERROR_TEXT_MAX_CHARS = 32768

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_HIDDEN_DIRS = (_PACKAGE_DIR + os.sep, os.path.dirname(os.path.abspath(asyncio.__file__)) + os.sep)


class TaskWorker:
    """Base class for ``ecs:worker`` task code (``spec = "pkg.module:Class"``).

    One instance per worker process: ``on_startup`` once before the first
    message, ``run(event, context)`` per message (the result is sent back as
    the task's output, an exception as its error), ``on_cleanup`` at shutdown.
    Each may be ``async`` or a plain function.
    """

    async def on_startup(self):
        """Called once per worker process before the first message."""

    async def on_cleanup(self):
        """Called once when the worker process shuts down."""

    async def run(self, event, context):
        """Process one message; return the task result (JSON-serialisable)."""
        raise NotImplementedError(f"{type(self).__name__} must define run(self, event, context)")


async def _maybe_await(value):
    if asyncio.iscoroutine(value):
        return await value
    return value


def load_task_worker_class(spec):
    """Import the class named by ``spec`` (``"package.module:ClassName"``)."""
    module_name, sep, class_name = (spec or "").partition(":")
    if not sep or not module_name or not class_name:
        raise ValueError(
            f"spec {spec!r} must look like 'package.module:ClassName' (a TaskWorker subclass)"
        )
    module = importlib.import_module(module_name)
    cls = getattr(module, class_name, None)
    if cls is None:
        raise AttributeError(f"module {module_name!r} has no class {class_name!r} (spec {spec!r})")
    return cls


def _format_traceback(exc):
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if not os.path.abspath(f.filename).startswith(_HIDDEN_DIRS)
    ]
    lines = ["Traceback (most recent call last):\n"]
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)


class _TaskOutput(io.TextIOBase):
    """``sys.stdout``/``sys.stderr`` while a task runs: whole lines go over the
    protocol as ``{"id", "op": "output", "line"}``, in order with the reply."""

    def __init__(self, server, req_id):
        self._server = server
        self._id = req_id
        self._partial = ""

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        start = 0
        while True:
            end = text.find("\n", start)
            if end < 0:
                break
            self._emit(self._partial + text[start:end])
            self._partial = ""
            start = end + 1
        self._partial += text[start:]
        while len(self._partial) > OUTPUT_LINE_MAX_CHARS:
            self._emit(self._partial[:OUTPUT_LINE_MAX_CHARS])
            self._partial = self._partial[OUTPUT_LINE_MAX_CHARS:]
        return len(text)

    def _emit(self, line):
        for i in range(0, max(len(line), 1), OUTPUT_LINE_MAX_CHARS):
            self._server.send({"id": self._id, "op": "output", "line": line[i : i + OUTPUT_LINE_MAX_CHARS]})

    def flush(self):
        if self._partial:
            self._server.send({"id": self._id, "op": "output", "line": self._partial})
            self._partial = ""


class _Server:
    def __init__(self):
        self.proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
        os.dup2(2, 1)
        sys.stdout = sys.stderr
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.workers = {}

    def send(self, message):
        self.proto.write(json.dumps(message, separators=(",", ":")) + "\n")
        self.proto.flush()

    async def _get_worker(self, spec):
        worker = self.workers.get(spec)
        if worker is None:
            cls = load_task_worker_class(spec)
            worker = cls()
            await _maybe_await(worker.on_startup())
            self.workers[spec] = worker
        return worker

    async def _invoke(self, msg, ctx):
        if msg.get("kind") == "worker":
            worker = await self._get_worker(msg.get("spec"))
            return await _maybe_await(worker.run(msg.get("event"), ctx))
        from .entry import invoke_run  # lazy: `python3 -m fluxio_task.entry` must not find it imported already

        return await invoke_run(
            msg["source"],
            msg.get("event"),
            ctx,
            filename=msg.get("filename") or "<task>",
            first_line=msg.get("firstLine") or 1,
            exceptions=msg.get("exceptions"),
        )

    async def _with_heartbeat(self, coro, interval, beat):
        async def pump():
            while True:
                await asyncio.sleep(interval)
                beat()

        pumper = asyncio.ensure_future(pump()) if interval else None
        try:
            return await coro
        finally:
            if pumper:
                pumper.cancel()

    def handle(self, msg):
        req_id = msg.get("id")

        def beat():
            self.send({"id": req_id, "op": "heartbeat"})

        ctx = TaskContext(
            msg.get("meta"),
            project=msg.get("project"),
            state_data_url=msg.get("stateDataUrl"),
            heartbeat=beat,
        )
        heartbeat = msg.get("heartbeat")
        interval = max(heartbeat / 3.0, 0.05) if heartbeat and msg.get("kind") == "worker" else None
        output = _TaskOutput(self, req_id)
        saved = (sys.stdout, sys.stderr)
        saved_env = _set_task_env(msg)
        sys.stdout = sys.stderr = output
        try:
            try:
                if msg.get("kind") == "lambda":
                    # A Lambda handler is a plain function called outside the event loop
                    # (it may call asyncio.run itself, as fluxio_task.entry.lambda_handler does).
                    from .lambda_runtime import invoke_lambda

                    result = invoke_lambda(msg)
                else:
                    result = self.loop.run_until_complete(
                        self._with_heartbeat(self._invoke(msg, ctx), interval, beat)
                    )
            finally:
                output.flush()
                sys.stdout, sys.stderr = saved
                _restore_env(saved_env)
                self._end_stderr(req_id)
            try:
                body = json.dumps(result, separators=(",", ":"))
            except (TypeError, ValueError) as exc:
                raise TypeError(f"the task returned a value that is not JSON-serialisable: {exc}") from None
            _check_result_size(body, result, msg.get("maxResultBytes"))
            self.proto.write('{"id":%s,"ok":true,"result":%s}\n' % (json.dumps(req_id), body))
            self.proto.flush()
        except BaseException as exc:  # noqa: BLE001 - every task failure is reported, the worker stays up
            if isinstance(exc, KeyboardInterrupt):
                raise
            if isinstance(exc, _DataLimitExceeded):
                error = {"type": "States.DataLimitExceeded", "message": str(exc), "traceback": ""}
            else:
                error = {
                    "type": type(exc).__name__,
                    "message": _cap_start(str(exc)),
                    "traceback": _cap_end(_format_traceback(exc)),
                }
            self.send({"id": req_id, "ok": False, "error": error})

    def _end_stderr(self, req_id):
        """Marks the end of this task's raw stderr output (see TASK_END_MARKER)."""
        for stream in (sys.__stdout__, sys.__stderr__):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - a closed stream has nothing to flush
                pass
        try:
            os.write(2, (TASK_END_MARKER + str(req_id) + "\n").encode("utf-8"))
        except OSError:
            pass

    def cleanup(self):
        for spec, worker in list(self.workers.items()):
            try:
                self.loop.run_until_complete(_maybe_await(worker.on_cleanup()))
            except Exception:  # noqa: BLE001
                sys.stderr.write(f"on_cleanup of {spec} failed:\n{traceback.format_exc()}")
        self.workers.clear()

    def serve(self):
        self.send({"op": "ready", "pid": os.getpid()})
        try:
            for raw in sys.stdin.buffer:
                if not raw.strip():
                    continue
                msg = json.loads(raw)
                op = msg.get("op")
                if op == "shutdown":
                    break
                if op == "invoke":
                    self.handle(msg)
        finally:
            self.cleanup()
            self.send({"op": "closed"})


class _DataLimitExceeded(Exception):
    """The task's result is over ``maxResultBytes`` (reported as States.DataLimitExceeded)."""


def _check_result_size(body, result, limit):
    # ASCII-escaped JSON is never shorter than its UTF-8 form: measure UTF-8 only when it may matter.
    if not limit or len(body) <= limit:
        return
    size = len(json.dumps(result, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass"))
    if size > limit:
        raise _DataLimitExceeded(
            f"The task returned {size} bytes of JSON; Step Functions allows {limit} bytes (256 KiB) per task result "
            "and state output. Keep large data in the state data service: store it with "
            "context.state_data_client.put_item(key, value) and return the pointer it gives (read it back with get_item)."
        )


def _cap_start(text, limit=ERROR_TEXT_MAX_CHARS):
    if len(text) <= limit:
        return text
    return text[:limit] + f" [... {len(text) - limit} characters cut]"


def _cap_end(text, limit=ERROR_TEXT_MAX_CHARS):
    if len(text) <= limit:
        return text
    return f"[... {len(text) - limit} characters cut]\n" + text[-limit:]


_TASK_ENV = ("FLUXIO_PROJECT", "FLUXIO_EXECUTION_NAME", "FLUXIO_STATE_DATA_URL")


def _set_task_env(msg):
    """Sets the task's FLUXIO_* variables (as the deployed Lambda function has them); returns what to restore."""
    meta = msg.get("meta") or {}
    values = {
        "FLUXIO_PROJECT": msg.get("project"),
        "FLUXIO_EXECUTION_NAME": meta.get("sfn_execution_name"),
        "FLUXIO_STATE_DATA_URL": msg.get("stateDataUrl"),
    }
    saved = {k: os.environ.get(k) for k in _TASK_ENV}
    for k, v in values.items():
        if v:
            os.environ[k] = str(v)
    return saved


def _restore_env(saved):
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _exit_with_parent():
    """Ends this worker when the runner that started it is gone (killed, crashed), even mid-task.

    Linux: PR_SET_PDEATHSIG delivers SIGKILL when the parent exits; everywhere: a
    daemon thread polls ``os.getppid()`` (a reparented process has a new parent).
    """
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG = 1
        except Exception:  # noqa: BLE001 - the watchdog below still covers it
            pass

    def watch():
        while True:
            if os.getppid() != parent:
                os._exit(70)
            time.sleep(0.5)

    threading.Thread(target=watch, name="fluxio-parent-watchdog", daemon=True).start()


#: Python logging level names ``FLUXIO_LOG_LEVEL`` may hold (``fluxio run --log-level``).
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class _CurrentStderrHandler(logging.StreamHandler):
    """A logging handler that writes to whatever ``sys.stderr`` is when a record
    is emitted: the task's output (the protocol) while a task runs, the
    worker's stderr otherwise."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):  # StreamHandler.__init__ assigns it; the current sys.stderr always wins
        pass


class _LogFormatter(logging.Formatter):
    """``[INFO] message``, ``[WARNING] botocore.credentials: message`` (the logger's name unless root)."""

    def format(self, record):
        text = super().format(record)
        who = "" if record.name == "root" else f"{record.name}: "
        return f"[{record.levelname}] {who}{text}"


def configure_logging(level=None):
    """Gives the root logger a handler and the level ``FLUXIO_LOG_LEVEL`` names
    (default INFO), so a task's ``logging.info(...)`` shows in ``fluxio run``
    (Python's own default, WARNING through the last-resort handler, hid it).
    A task's ``logging.basicConfig()`` is then a no-op, as in AWS Lambda, whose
    runtime also installs a root handler."""
    name = (level or os.environ.get("FLUXIO_LOG_LEVEL") or "INFO").upper()
    if name not in LOG_LEVELS:
        name = "INFO"
    root = logging.getLogger()
    handler = _CurrentStderrHandler()
    handler.setFormatter(_LogFormatter("%(message)s"))
    root.addHandler(handler)
    root.setLevel(getattr(logging, name))


def serve():
    """Run the local worker loop on stdin/stdout (``python3 -m fluxio_task.worker``).

    Ctrl-C reaches the whole process group; the worker ignores it and lets the
    runner shut it down (``on_cleanup`` still runs). It exits by itself when its
    parent process is gone.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent()
    configure_logging()
    _Server().serve()


if __name__ == "__main__":
    serve()
