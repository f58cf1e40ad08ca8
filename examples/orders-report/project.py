"""Orders report: the other half of the README's example pair. Nothing starts
these state machines by hand: the trigger service does.

- `main` runs when orders' `main` SUCCEEDS, with its output as input (and its
  trace id in `__trace`);
- `on_failure` runs when orders' `main` fails (FAILED, TIMED_OUT or ABORTED),
  with {"error", "cause", "input", "execution"};
- `hourly` runs on a schedule: once when it is deployed (a rate schedule
  starts at once, as on EventBridge Scheduler), then every hour.
"""


class RecordOrder(Task):
    async def run(event, context):
        order = event["order"]
        context.state_data_client.put_item("reported_order", order)
        return {"order_id": order["order_id"], "total": order["total"], "trace": event["__trace"]["id"]}


class RecordFailure(Task):
    async def run(event, context):
        return {"order_id": (event.get("input") or {}).get("order_id"), "error": event["error"], "cause": event["cause"]}


class Summary(Task):
    async def run(event, context):
        import datetime

        return {"period": event["period"], "generated_at": datetime.datetime.now(tz=datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}


@subscribe(project="orders", state_machine="main", status="success")
def main(data):
    data["report"] = RecordOrder(key="Record order")


@subscribe(project="orders", state_machine="main", status="failure")
def on_failure(data):
    data["alert"] = RecordFailure(key="Record failed order")


@schedule(expression="rate(1 hour)", input_data={"period": "hour"})
def hourly(data):
    data["summary"] = Summary(key="Hourly summary")
