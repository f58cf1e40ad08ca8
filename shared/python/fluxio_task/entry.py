"""The single entry point of task code, shared by Lambda, ECS and local workers.

``invoke_run`` compiles a task's extracted ``run`` source once (cached) and
awaits ``run(event, context)``. ``lambda_handler`` is the deployed Lambda's
handler (event ``{"meta": ..., "data": ...}``, spec section 7.4.1); ``main``
is the ECS container command (input from ``SFN_INPUT_VALUE``, section 7.4.3).
"""

import asyncio
import json
import os
import textwrap

from .context import TaskContext

_RUN_CACHE = {}


def load_run(source, filename="<task>", first_line=1):
    """Compile a ``run`` method's source into a function (cached per source).

    ``first_line`` (1-based) makes tracebacks point at the lines of
    ``filename`` (the project's ``project.py``).
    """
    key = (source, filename, first_line)
    fn = _RUN_CACHE.get(key)
    if fn is None:
        code = "\n" * max(0, first_line - 1) + textwrap.dedent(source)
        namespace = {"__name__": "fluxio_task_run", "__file__": filename}
        exec(compile(code, filename, "exec"), namespace)
        fn = namespace.get("run")
        if fn is None or not callable(fn):
            raise TypeError("the task source defines no run(event, context) function")
        _RUN_CACHE[key] = fn
    return fn


async def invoke_run(source, event, context, *, filename="<task>", first_line=1):
    """Await the task's ``run(event, context)`` and return its JSON-serialisable result."""
    fn = load_run(source, filename, first_line)
    result = fn(event, context)
    if asyncio.iscoroutine(result):
        result = await result
    return result


def _source_from_env():
    path = os.environ.get("FLUXIO_TASK_SOURCE_FILE", "fluxio_task_run.py")
    with open(path, encoding="utf-8") as f:
        return f.read(), path


def lambda_handler(event, lambda_context):
    """AWS Lambda handler: ``event = {"meta": {...}, "data": <task input>}``.

    The run source is read from ``FLUXIO_TASK_SOURCE_FILE`` (default
    ``fluxio_task_run.py`` in the function's directory). An exception
    propagates, so its class name becomes the Step Functions error name.
    """
    source, path = _source_from_env()
    ctx = TaskContext(event.get("meta"))
    return asyncio.run(invoke_run(source, event.get("data"), ctx, filename=path))


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
    result = asyncio.run(invoke_run(source, event, TaskContext(meta), filename=path))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
