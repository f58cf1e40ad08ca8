"""sfini's looping example: add `increment` to a counter until it reaches 10.

Input: {"increment": 3}  ->  output counter 12 after four Increment tasks.
"""


class Increment(Task):
    async def run(event, context):
        return event["counter"] + event["increment"]


def main(data):
    data["counter"] = 0
    while data["counter"] < 10:
        data["counter"] = Increment(key="Increment counter")
    return
