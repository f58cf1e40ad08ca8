"""EventProcessor classes: custom tags for a state machine's status events.

A project's ``class MyEvents(EventProcessor):`` (spec section 2.4) holds
``async def get_custom_tags_<EventType>(message, input_data, state_data_client)``
methods, EventType one of :data:`EVENT_TYPES` (execution status changes, named
like Step Functions history event types; shared/src/eventProcessors.ts holds
the same list). The trigger service invokes the processor's function for each
status event of a state machine with ``@process_events(processor=MyEvents)``;
the method's dict becomes message attributes of the published result.

Methods are called as plain functions (no instance, no ``self``), with the
three arguments by name, so their order in the ``def`` is free.
"""

import asyncio
import json
import textwrap

#: Event types of ``get_custom_tags_<EventType>`` methods (shared/src/eventProcessors.ts EXECUTION_EVENT_TYPES).
EVENT_TYPES = ("ExecutionStarted", "ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted")

#: Prefix of every processor method.
METHOD_PREFIX = "get_custom_tags_"

_CLASS_CACHE = {}


class EventProcessor:
    """Base class of a project's event processor classes (``class MyEvents(EventProcessor):``).

    It defines nothing: a processor without a method for an event type adds no tags for it.
    """


def load_processor(source, name, filename="<event processor>", first_line=1, exceptions=None, define_exceptions=None):
    """Execute a processor's ``class`` statement and return the class ``name`` (cached per source).

    ``source`` is the manifest's ``eventProcessors[name].source`` (dedented
    here; leading blank lines keep project.py's line numbers), executed with
    ``EventProcessor`` defined and, through ``define_exceptions(namespace,
    exceptions, filename)``, the project's exception classes.

    Raises:
        TypeError: the source defines no class ``name`` deriving from EventProcessor.
    """
    key = (source, name, filename, first_line, json.dumps(exceptions, sort_keys=True) if exceptions else None)
    cls = _CLASS_CACHE.get(key)
    if cls is None:
        namespace = {"__name__": "fluxio_event_processor", "__file__": filename, "EventProcessor": EventProcessor}
        if define_exceptions is not None:
            define_exceptions(namespace, exceptions, filename)
        code = "\n" * max(0, first_line - 1) + textwrap.dedent(source)
        exec(compile(code, filename, "exec"), namespace)
        cls = namespace.get(name)
        if not (isinstance(cls, type) and issubclass(cls, EventProcessor)):
            raise TypeError(f"the event processor source defines no class {name}(EventProcessor)")
        _CLASS_CACHE[key] = cls
    return cls


def stringify_tags(tags, method):
    """The tags as ``{str: str}``: a string value stays as is, any other value becomes its JSON text.

    ``None`` means no tags. Raises ``TypeError`` for anything but a dict.
    """
    if tags is None:
        return {}
    if not isinstance(tags, dict):
        raise TypeError(f"{method} must return a dict of tags (or None), not {type(tags).__name__}")
    out = {}
    for k, v in tags.items():
        out[str(k)] = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, separators=(",", ":"), default=str)
    return out


async def process_event(cls, event_type, message, input_data, state_data_client):
    """Run ``cls.get_custom_tags_<event_type>`` (awaited when async) and return its tags, stringified.

    A class without that method gives ``{}``. An exception of the method propagates.

    Raises:
        ValueError: ``event_type`` is not one of :data:`EVENT_TYPES`.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}; event types are {', '.join(EVENT_TYPES)}")
    method = METHOD_PREFIX + event_type
    fn = getattr(cls, method, None)
    if fn is None:
        return {}
    result = fn(message=message, input_data=input_data, state_data_client=state_data_client)
    if asyncio.iscoroutine(result):
        result = await result
    return stringify_tags(result, method)


class LazyStateDataClient:
    """Stands for ``context.state_data_client`` until a method uses it (so a processor that does not use it needs no state data service)."""

    def __init__(self, context):
        self._context = context

    def __getattr__(self, attr):
        return getattr(self._context.state_data_client, attr)
