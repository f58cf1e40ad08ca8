"""Fixture for cli/test/run-progress.test.ts: what `fluxio run` prints while it runs."""


class Lookup(Task):
    async def run(event, context):
        raise KeyError("missing-key")


class Flaky(Task):
    async def run(event, context):
        import os

        path = os.path.join(event["dir"], "attempts.txt")
        with open(path, "a") as f:
            f.write("x")
        with open(path) as f:
            attempts = len(f.read())
        if attempts < 3:
            raise ConnectionError(f"attempt {attempts} failed")
        return attempts


class Sleepy(Task):
    async def run(event, context):
        import time

        time.sleep(30)
        return "woke up"


class Stopper(Task):
    async def run(event, context):
        return await context.stop_execution(error="Halt", cause="stopped by the task")


class Score(Task):
    async def run(event, context):
        return event * 10


class Chatty(Task):
    async def run(event, context):
        import logging

        logging.debug("debug detail")
        logging.info("info progress")
        logging.warning("warning sign")
        logging.getLogger("fluxio.test").error("error from a named logger")
        print("plain print")
        return "done"


def caught_flow(data):
    try:
        Lookup(key="Look up")
    except KeyError:
        data["recovered"] = True


def retry_flow(data):
    with retry(on_exceptions=[ConnectionError], interval=1, max_attempts=3, backoff_rate=2):
        data["attempts"] = Flaky(key="Flaky call")


def timeout_flow(data):
    Sleepy(key="Sleep too long", timeout=1)


def abort_flow(data):
    Stopper(key="Stop here")
    data["after"] = True


def score_user(data):
    data["score"] = Score(data["context_value"], key="Score user")


def map_flow(data):
    data["scores"] = map(data["users"], score_user)


def log_flow(data):
    data["logged"] = Chatty(key="Chatty")
