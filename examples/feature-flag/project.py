"""Stop the execution early when a feature flag is off (context.stop_execution).

Input: {"flags": {"new-pricing": true}}  -> SUCCEEDED with a price
Input: {"flags": {"new-pricing": false}} -> ABORTED by CheckFlag
"""


class CheckFlag(Task):
    async def run(event, context):
        enabled = event.get("flags", {}).get("new-pricing", False)
        if not enabled:
            return await context.stop_execution(
                error="FeatureDisabled", cause="The new-pricing flag is off"
            )
        return True


class Price(Task):
    async def run(event, context):
        return {"amount": 42, "currency": "EUR"}


def main(data):
    data["enabled"] = CheckFlag(key="Check feature flag")
    data["price"] = Price(key="Compute price")
