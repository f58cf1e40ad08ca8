"""fluxio_task: the runtime task code programs against (DESIGN.md section 7).

Task classes hold ``async def run(event, context)``; the runtime loads that
method and awaits it with a :class:`TaskContext`. ``ecs:worker`` tasks name a
:class:`TaskWorker` subclass (``spec = "pkg.module:Class"``). :class:`EventProcessor`
classes tag a state machine's status events (``entry.event_processor_handler``).

Standard library only: the same package runs in AWS Lambda, in ECS and in the
local worker pool of ``fluxio run``.
"""

from .context import TaskContext
from .event_processor import EventProcessor
from .worker import TaskWorker

__all__ = ["EventProcessor", "TaskContext", "TaskWorker"]
