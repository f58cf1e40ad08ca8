"""Orders: price an order. Half of the README's example pair: every execution
of `main` that succeeds starts orders-report's `main` with this output, and
every one that fails starts its `on_failure` (see examples/orders-report).
OrderEvents tags each published result with the order id (SNS message
attributes, so subscribers can filter on them).

Input: {"order_id": "A-1001", "items": [{"sku": "tea", "quantity": 2, "unit_price": 3.5}]}
  -> SUCCEEDED, output["order"] = {"order_id": "A-1001", "lines": 1, "total": 7.0}
Input: {"order_id": "A-1002", "items": []}
  -> FAILED with EmptyOrder
"""


class EmptyOrder(Exception):
    pass


class PriceOrder(Task):
    async def run(event, context):
        items = event.get("items") or []
        if not items:
            raise EmptyOrder(f"order {event.get('order_id', '?')} has no items; give each item a sku, a quantity and a unit_price")
        total = sum(item["quantity"] * item["unit_price"] for item in items)
        return {"order_id": event.get("order_id"), "lines": len(items), "total": round(total, 2)}


class OrderEvents(EventProcessor):
    async def get_custom_tags_ExecutionSucceeded(message, input_data, state_data_client):
        return {"order_id": input_data.get("order_id"), "total": str(message["output"]["order"]["total"])}

    async def get_custom_tags_ExecutionFailed(message, input_data, state_data_client):
        return {"order_id": input_data.get("order_id")}


@export()
@process_events(processor=OrderEvents)
def main(data):
    data["order"] = PriceOrder(key="Price order")
