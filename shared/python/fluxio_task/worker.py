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
stays in order with its reply; writes straight to file descriptor 1 or 2 go
to the worker's stderr).
"""

import asyncio
import importlib
import io
import json
import os
import sys
import traceback

from .context import TaskContext

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
        self._partial += text
        while "\n" in self._partial:
            line, self._partial = self._partial.split("\n", 1)
            self._server.send({"id": self._id, "op": "output", "line": line})
        return len(text)

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
            try:
                line = json.dumps({"id": req_id, "ok": True, "result": result}, separators=(",", ":"))
            except (TypeError, ValueError) as exc:
                raise TypeError(f"the task returned a value that is not JSON-serialisable: {exc}") from None
            self.proto.write(line + "\n")
            self.proto.flush()
        except BaseException as exc:  # noqa: BLE001 - every task failure is reported, the worker stays up
            if isinstance(exc, KeyboardInterrupt):
                raise
            self.send(
                {
                    "id": req_id,
                    "ok": False,
                    "error": {
                        "type": type(exc).__name__,
                        "message": str(exc),
                        "traceback": _format_traceback(exc),
                    },
                }
            )

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


def serve():
    """Run the local worker loop on stdin/stdout (``python3 -m fluxio_task.worker``).

    Ctrl-C reaches the whole process group; the worker ignores it and lets the
    runner shut it down (``on_cleanup`` still runs).
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _Server().serve()


if __name__ == "__main__":
    serve()
