"""The reminder service: wait until a timestamp from the input, then notify.

Input: {"timestamp": "2026-01-27T09:00:00Z", "message": "remind me of something"}
"""


class SendReminder(Task):
    async def run(event, context):
        import datetime

        sent_at = datetime.datetime.now(tz=datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        notification = {"msg": event["message"], "due": event["timestamp"], "sent_at": sent_at}
        context.state_data_client.put_item("notifications", notification)
        print(f"Reminder: {event['message']}")
        return notification


def main(data):
    if "timestamp" not in data:
        raise MissingTimestamp("Give a timestamp like 2026-01-27T09:00:00Z in the input")
    wait(timestamp=data["timestamp"])
    data["notification"] = SendReminder(key="Send reminder")
