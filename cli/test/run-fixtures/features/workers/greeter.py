"""An ecs:worker TaskWorker for cli/test/run.test.ts; records its lifecycle in $FLUXIO_TEST_MARKER."""

import asyncio
import os
import time

from fluxio_task import TaskWorker


def _mark(what):
    path = os.environ.get("FLUXIO_TEST_MARKER")
    if path:
        with open(path, "a") as f:
            f.write(what + "\n")


class Greeter(TaskWorker):
    async def on_startup(self):
        self.greeting = "Hello"
        _mark("startup")

    async def run(self, event, context):
        if isinstance(event, dict) and event.get("block"):
            time.sleep(event["block"])  # blocks the event loop: no heartbeats
            return "blocked"
        if isinstance(event, dict) and event.get("busy"):
            await asyncio.sleep(event["busy"])  # heartbeats keep flowing
            return "busy done"
        _mark("run")
        return f"{self.greeting}, {event}!"

    async def on_cleanup(self):
        _mark("cleanup")
