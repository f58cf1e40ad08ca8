"""Fan-out over items stored in the state data service (the Fluxio guide's example).

GenerateItems stores a list with put_items and returns the pointer; map() runs
process_item once per stored item; each Worker reads its item, greets it and
stores the greeting under the same index; Summarize reads all greetings back.
"""


class GenerateItems(Task):
    async def run(event, context):
        names = event.get("names") or ["sue", "jae", "levi"]
        return context.state_data_client.put_items(
            "items", [{"name": name} for name in names]
        )


class Worker(Task):
    service = "ecs:worker"
    spec = "fanout_worker.worker:GreetWorker"
    timeout = 600
    concurrency = 10
    heartbeat_interval = 60
    autoscaling_min = 1
    autoscaling_max = 2


class Summarize(Task):
    async def run(event, context):
        greetings = context.state_data_client.get_items("greetings")
        return {"count": len(greetings), "greetings": [g["greeting"] for g in greetings]}


def process_item(data):
    Worker(key="Greet item")


def main(data):
    data["items"] = GenerateItems(key="Generate items")
    map(data["items"], process_item, max_concurrency=2)
    data["summary"] = Summarize(key="Summarize")
