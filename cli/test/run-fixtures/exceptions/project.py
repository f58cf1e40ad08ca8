"""Fixture for services/compiler-api/test/runtimeExceptions.test.ts: Python's
exception hierarchy at run time (issue 12)."""


class PaymentDeclined(Exception):
    pass


class CardExpired(PaymentDeclined):
    """A project exception deriving from another one."""


class MissingKey(Task):
    async def run(event, context):
        return {}["absent"]  # KeyError


class Charge(Task):
    def run(event, context):  # a sync run is called directly
        if event["card"] == "expired":
            raise CardExpired("card expired")
        if event["card"] == "declined":
            raise PaymentDeclined("declined")
        return "charged"


def lookup_error(data):
    try:
        data["value"] = MissingKey(data)
    except LookupError as e:
        data["caught"] = "LookupError"


def any_exception(data):
    try:
        data["value"] = MissingKey(data)
    except Exception as e:
        data["caught"] = "Exception"


def payment(data):
    try:
        data["charge"] = Charge(data)
    except PaymentDeclined as e:
        data["caught"] = "PaymentDeclined"


def uncaught_payment(data):
    data["charge"] = Charge(data)


def raise_in_main(data):
    if data["card"] == "declined":
        raise PaymentDeclined("declined in main")
    data["ok"] = True
