"""The single entry point of task code, shared by Lambda, ECS and local workers.

``invoke_run`` compiles a task's extracted ``run`` source once (cached) and
calls ``run(event, context)``, awaiting it when it is ``async def``. ``lambda_handler`` is the deployed Lambda's
handler (event ``{"meta": ..., "data": ...}``, spec section 7.4.1); ``main``
is the ECS container command (input from ``SFN_INPUT_VALUE``, section 7.4.3).

``event_processor_handler`` is the handler of a deployed EventProcessor
function (issue 9, spec section 2.4). The function's files, as a task
function's (the deployer packages both the same way)::

    fluxio_task/...               this runtime
    fluxio_event_processor.py     the manifest's eventProcessors[<Class>].source,
                                  after line - 1 blank lines (tracebacks give project.py lines)
    fluxio_exceptions.json        the manifest's exceptions, when the project has some
    <the project bundle>          packages the methods import

(``FLUXIO_EVENT_PROCESSOR_SOURCE_FILE`` and ``FLUXIO_EXCEPTIONS_FILE`` override
the two file names.) One function may hold one processor class; the request
names it.
"""

import asyncio
import json
import linecache
import os
import textwrap

from .context import TaskContext
from .event_processor import LazyStateDataClient, load_processor, process_event

_RUN_CACHE = {}


def remember_source(filename, code):
    """Let tracebacks show the source lines of ``code`` compiled as ``filename``.

    A deployed function has no ``project.py`` (only the extracted pieces, each
    placed at its own lines), so its lines are put into :mod:`linecache`,
    merged with what is there from other pieces of the same file. A real file
    of that name is left to linecache to read.
    """
    if os.path.exists(filename):
        return
    lines = list(linecache.cache.get(filename, (0, None, [], filename))[2])
    for number, text in enumerate(code.splitlines(True)):
        if not text.strip():
            continue
        while len(lines) <= number:
            lines.append("\n")
        lines[number] = text if text.endswith("\n") else text + "\n"
    linecache.cache[filename] = (sum(map(len, lines)), None, lines, filename)


def define_exceptions(namespace, exceptions, filename="<task>"):
    """Define the project's exception classes in ``namespace``.

    ``exceptions`` is the manifest's ``exceptions`` field: ``{name: {"bases",
    "source", "line"}}`` in source order (a class's project bases come first).
    Each ``source`` is compiled at its own ``line`` of ``filename``, so a
    traceback through it points at ``project.py``.
    """
    for name, spec in (exceptions or {}).items():
        line = int(spec.get("line") or 1)
        code = "\n" * max(0, line - 1) + textwrap.dedent(spec["source"])
        remember_source(filename, code)
        exec(compile(code, filename, "exec"), namespace)
        if not isinstance(namespace.get(name), type):
            raise TypeError(f"the exception source of {name} defines no class {name}")


def load_run(source, filename="<task>", first_line=1, exceptions=None):
    """Compile a ``run`` method's source into a function (cached per source).

    ``first_line`` (1-based) makes tracebacks point at the lines of
    ``filename`` (the project's ``project.py``). ``exceptions`` (the
    manifest's ``exceptions``) are defined in the run method's namespace
    first, so ``raise PaymentDeclined(...)`` works in ``run``.
    """
    key = (source, filename, first_line, json.dumps(exceptions, sort_keys=True) if exceptions else None)
    fn = _RUN_CACHE.get(key)
    if fn is None:
        code = "\n" * max(0, first_line - 1) + textwrap.dedent(source)
        namespace = {"__name__": "fluxio_task_run", "__file__": filename}
        define_exceptions(namespace, exceptions, filename)
        remember_source(filename, code)
        exec(compile(code, filename, "exec"), namespace)
        fn = namespace.get("run")
        if fn is None or not callable(fn):
            raise TypeError("the task source defines no run(event, context) function")
        _RUN_CACHE[key] = fn
    return fn


async def invoke_run(source, event, context, *, filename="<task>", first_line=1, exceptions=None):
    """Call the task's ``run(event, context)`` (awaited when it is ``async def``) and return its JSON-serialisable result."""
    fn = load_run(source, filename, first_line, exceptions)
    result = fn(event, context)
    if asyncio.iscoroutine(result):
        result = await result
    return result


def _source_from_env():
    path = os.environ.get("FLUXIO_TASK_SOURCE_FILE", "fluxio_task_run.py")
    with open(path, encoding="utf-8") as f:
        return f.read(), path


def _exceptions_from_env():
    """The manifest's ``exceptions`` from ``FLUXIO_EXCEPTIONS_FILE`` (default
    ``fluxio_exceptions.json`` beside the run source); ``None`` when absent."""
    path = os.environ.get("FLUXIO_EXCEPTIONS_FILE", "fluxio_exceptions.json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def lambda_handler(event, lambda_context):
    """AWS Lambda handler: ``event = {"meta": {...}, "data": <task input>}``.

    The run source is read from ``FLUXIO_TASK_SOURCE_FILE`` (default
    ``fluxio_task_run.py`` in the function's directory). An exception
    propagates, so its class name becomes the Step Functions error name.
    """
    source, _path = _source_from_env()
    ctx = TaskContext(event.get("meta"))
    # The run source keeps project.py's line numbers (blank lines first), so tracebacks name project.py.
    return asyncio.run(invoke_run(source, event.get("data"), ctx, filename="project.py", exceptions=_exceptions_from_env()))


def _execution_name(execution):
    """An execution name from a name or an execution ARN (``arn:aws:states:...:execution:<machine>:<name>``)."""
    if not execution:
        return None
    text = str(execution)
    return text.rsplit(":", 1)[-1] if text.startswith("arn:") else text


def event_processor_handler(event, lambda_context):
    """AWS Lambda handler of an EventProcessor function.

    Request::

        {"processor": "MyEvents", "eventType": "ExecutionSucceeded",
         "message": {...}, "inputData": {...},
         "project": "shop", "execution": "<execution name or ARN>"}   # the last two optional

    Response: ``{"tags": {"k": "v", ...}}``, the return value of
    ``MyEvents.get_custom_tags_<eventType>(message, input_data, state_data_client)``
    with every value a string (non-strings as JSON text); ``{"tags": {}}``
    when the class has no method for the event type or it returns None.
    ``state_data_client`` is a task's client, scoped to ``project`` (else
    ``FLUXIO_PROJECT``) and to the upstream execution (``execution``, else the
    message's ``executionArn``), so the processor reads what that execution's
    tasks stored. An exception propagates (a Lambda function error whose
    ``errorType`` is its class name).
    """
    if not isinstance(event, dict):
        raise TypeError("an event processor request is a JSON object {processor, eventType, message, inputData}")
    processor = event.get("processor")
    if not isinstance(processor, str) or not processor:
        raise ValueError("the request names no processor class (\"processor\": \"MyEvents\")")
    path = os.environ.get("FLUXIO_EVENT_PROCESSOR_SOURCE_FILE", "fluxio_event_processor.py")
    with open(path, encoding="utf-8") as f:
        source = f.read()
    cls = load_processor(source, processor, filename=path, exceptions=_exceptions_from_env(), define_exceptions=define_exceptions)
    message = event.get("message") if isinstance(event.get("message"), dict) else {}
    execution = event.get("execution") or message.get("executionArn")
    ctx = TaskContext({"sfn_execution_name": _execution_name(execution)}, project=event.get("project") or message.get("project"))
    tags = asyncio.run(process_event(cls, event.get("eventType"), message, event.get("inputData"), LazyStateDataClient(ctx)))
    return {"tags": tags}


def main():
    """ECS container entry: input from ``SFN_INPUT_VALUE`` (JSON), metadata from env."""
    raw = os.environ.get("SFN_INPUT_VALUE")
    event = json.loads(raw) if raw is not None else None
    meta = {
        "sfn_execution_name": os.environ.get("SFN_EXECUTION_NAME"),
        "sfn_state_name": os.environ.get("SFN_STATE_NAME"),
        "sfn_state_machine_name": os.environ.get("SFN_STATE_MACHINE_NAME"),
        "trace_id": os.environ.get("TRACE_ID"),
        "trace_source": os.environ.get("TRACE_SOURCE"),
    }
    source, path = _source_from_env()
    result = asyncio.run(invoke_run(source, event, TaskContext(meta), filename=path, exceptions=_exceptions_from_env()))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
