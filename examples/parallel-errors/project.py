"""sfini's parallel and error-handling examples as one project.

`main` logs and prints a message in parallel branches, then runs a flaky task
that times out on its first attempt (retried on States.Timeout) and then raises
MyError, which is caught into a Fail state: the execution fails with WorkerError.
"""


class LogMessage(Task):
    async def run(event, context):
        import logging

        logging.getLogger("example").log(event["level"], event["message"])
        return {"logged": event["message"], "level": event["level"]}


class PrintMessage(Task):
    async def run(event, context):
        import datetime

        print(event["message"])
        until = datetime.datetime.now(tz=datetime.timezone.utc) + datetime.timedelta(
            seconds=len(event["message"])
        )
        return until.strftime("%Y-%m-%dT%H:%M:%SZ")


class Flaky(Task):
    timeout = 2

    async def run(event, context):
        import asyncio

        attempt = context.state_data_client.get_items("attempts")
        context.state_data_client.put_item("attempts", {"n": len(attempt)}, index=len(attempt))
        if not attempt:
            await asyncio.sleep(5)  # first attempt overruns its 2 s timeout

        class MyError(Exception):
            pass

        raise MyError("foobar")


def log_branch(data):
    data["log"] = LogMessage(key="Log message")


def print_branch(data):
    data["until"] = PrintMessage(key="Print message")


def main(data):
    data["parallel"] = parallel(log_branch, print_branch)
    try:
        with retry(on_exceptions=[States.Timeout], interval=1, max_attempts=2):
            Flaky(key="Raise after a timeout")
    except MyError:
        raise WorkerError("MyError was raised")
    return
