"""Fixture for cli/test/run.test.ts: one state machine per runner feature."""


class Double(Task):
    async def run(event, context):
        return event * 2


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


class Boom(Task):
    async def run(event, context):
        print("about to fail")
        raise KeyError("missing-key")


class Sleepy(Task):
    async def run(event, context):
        import time

        time.sleep(30)
        return "woke up"


class Pid(Task):
    async def run(event, context):
        import os

        return os.getpid()


class Greet(Task):
    service = "ecs:worker"
    spec = "workers.greeter:Greeter"
    heartbeat_interval = 1
    timeout = 60


class Store(Task):
    service = "ecs"

    async def run(event, context):
        import os

        with open(os.path.join(event["dir"], "ecs.txt"), "w") as f:
            f.write(f"{event['n']}")
        return "ignored"


class Stopper(Task):
    async def run(event, context):
        return await context.stop_execution(error="Halt", cause="stopped by the task")


class Meta(Task):
    async def run(event, context):
        return {"state": context.state_name, "execution": context.execution_name}


def choice_flow(data):
    if data["n"] > 10:
        data["size"] = "big"
    elif data["n"] > 5:
        data["size"] = "medium"
    else:
        data["size"] = "small"
    data["meta"] = Meta(key="Meta")


def double_item(data):
    data["doubled"] = Double(data["context_value"], key="Double item")


def map_flow(data):
    data["results"] = map(data["items"], double_item, max_concurrency=2)


def left(data):
    data["side"] = "left"


def right(data):
    data["side"] = Double(data["n"], key="Double right")


def parallel_flow(data):
    data["sides"] = parallel(left, right)


def wait_flow(data):
    wait(seconds=3600)
    data["waited"] = True


def retry_flow(data):
    with retry(on_exceptions=[ConnectionError], interval=1, max_attempts=3, backoff_rate=2):
        data["attempts"] = Flaky(key="Flaky call")


def catch_flow(data):
    try:
        Boom(key="Boom")
    except KeyError:
        data["recovered"] = True


def uncaught_flow(data):
    Boom(key="Boom uncaught")


def timeout_flow(data):
    try:
        Sleepy(key="Sleep too long", timeout=1)
    except States.Timeout:
        data["timed_out"] = True
    data["pid_after"] = Pid(key="Pid after timeout")


def fail_flow(data):
    raise NotAllowed("n must be positive")


def child(data):
    data["child_value"] = Double(data["n"], key="Double in child")
    return


def nested_flow(data):
    data["from_child"] = child(data)


def worker_item(data):
    data["greeting"] = Greet(data["context_value"], key="Greet")


def worker_flow(data):
    data["greetings"] = map(data["names"], worker_item)


def heartbeat_flow(data):
    try:
        data["greeting"] = Greet(data["slow"], key="Greet slowly")
    except States.HeartbeatTimeout:
        data["no_heartbeat"] = True


def ecs_flow(data):
    data["ecs"] = Store(data["job"], key="Store with ecs")


def stop_flow(data):
    Stopper(key="Stop here")
    data["after"] = True


class Visit(Task):
    async def run(event, context):
        from fluxio_task.state_data import NoItemFound

        client = context.state_data_client
        try:
            visits = client.get_global_item("fluxio-state-data", "run-test-visits")["visits"]
        except NoItemFound:
            visits = 0
        client.put_global_item("fluxio-state-data", "run-test-visits", {"visits": visits + 1})
        return visits + 1


def persist_flow(data):
    data["visits"] = Visit(key="Count visits")


class SlowLambda(Task):
    heartbeat_interval = 1

    async def run(event, context):
        import asyncio

        await asyncio.sleep(2.5)
        return "finished without heartbeats"


def lambda_heartbeat_flow(data):
    data["slow"] = SlowLambda(key="Slow lambda")


def ecs_whole_data(data):
    Store(key="Store the whole data")
