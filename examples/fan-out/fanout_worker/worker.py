"""The queue worker behind the fan-out example's `Worker` task (service ecs:worker)."""

from fluxio_task import TaskWorker


class GreetWorker(TaskWorker):
    """Greets one stored item per message and stores the greeting at the same index."""

    async def on_startup(self):
        await super().on_startup()
        self.salutation = "Hello"

    async def on_cleanup(self):
        await super().on_cleanup()

    async def run(self, event, context):
        item = context.state_data_client.get_item_for_map_iteration(event)
        greeting = {"greeting": f"{self.salutation}, {item['name']}!"}
        context.state_data_client.put_item(
            "greetings", greeting, index=event["context_index"]
        )
        return greeting
