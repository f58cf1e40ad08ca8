"""The Python state data client (fluxio_task.state_data) against a running
Fluxio state data server. Run by services/state-data/test/pythonClient.test.ts,
which starts the embedded service on 127.0.0.1 and sets:

    FLUXIO_STATE_DATA_URL, FLUXIO_PROJECT, FLUXIO_EXECUTION_NAME (= "py-exec"),
    FLUXIO_TEST_BLOB_DIR (the service's blob directory)

Standalone: start a server, export those, then
``PYTHONPATH=shared/python python3 -m unittest discover -s services/state-data/test/python``.
"""

import asyncio
import hashlib
import json
import os
import unittest
import urllib.request

from fluxio_task import _http
from fluxio_task.state_data import NoItemFound, StateDataClient, StateDataClientError

URL = os.environ.get("FLUXIO_STATE_DATA_URL", "")


def client(**kw):
    return StateDataClient.from_env() if not kw else StateDataClient(URL, "demo", kw.pop("namespace", "py-exec"), **kw)


def json_of_size(n):
    """A string whose JSON (as the service stores it) is exactly n bytes."""
    return "x" * (n - 2)


@unittest.skipUnless(URL, "needs a running state data server (FLUXIO_STATE_DATA_URL)")
class LocalItems(unittest.TestCase):
    def setUp(self):
        self.c = client()

    def test_put_item_returns_pointer_and_get_item_reads_it(self):
        pointer = self.c.put_item("characters", {"name": "jerry", "n": 1.5, "ok": True, "none": None})
        self.assertEqual(pointer, {"table_name": "fluxio-state-data", "partition_key": "demo:py-exec:characters", "key": "characters"})
        self.assertEqual(self.c.get_item("characters"), {"name": "jerry", "n": 1.5, "ok": True, "none": None})

    def test_index_and_unicode(self):
        self.c.put_item("characters", {"name": "elaine ✓ 😀"}, index=24)
        self.assertEqual(self.c.get_item("characters", index=24), {"name": "elaine ✓ 😀"})

    def test_put_items_then_get_items_in_index_order(self):
        values = [{"i": i} for i in range(40)]
        pointer = self.c.put_items("many", values)
        self.assertEqual(pointer, {"table_name": "fluxio-state-data", "partition_key": "demo:py-exec:many", "key": "many", "items": [1] * 40})
        self.assertEqual(self.c.get_items("many"), values)
        self.assertEqual(self.c.get_item("many", 11), {"i": 11})

    def test_get_items_of_unknown_key_is_empty(self):
        self.assertEqual(self.c.get_items("nothing"), [])

    def test_missing_item_raises_no_item_found_naming_the_key(self):
        with self.assertRaises(NoItemFound) as cm:
            self.c.get_item("missing", 3)
        self.assertIsInstance(cm.exception, StateDataClientError)
        self.assertEqual(cm.exception.status, 404)
        self.assertIn("partition_key=demo:py-exec:missing sort_key=3 table_name=fluxio-state-data", str(cm.exception))

    def test_map_iteration_helpers(self):
        pointer = self.c.put_items("fan", ["a", "b", "c"])
        event = {
            "items_result_table_name": pointer["table_name"],
            "items_result_partition_key": pointer["partition_key"],
            "items_result_key": pointer["key"],
            "context_index": 1,
            "context_value": 1,
        }
        self.assertEqual(self.c.get_item_for_map_iteration(event), "b")
        self.assertEqual(self.c.get_global_item_for_map_iteration(dict(event, context_index="2")), "c")
        self.assertEqual(
            self.c.put_item_for_map_iteration(dict(event, context_index=0), "A"),
            {"table_name": "fluxio-state-data", "partition_key": "demo:py-exec:fan", "key": "fan"},
        )
        self.assertEqual(
            self.c.put_global_item_for_map_iteration(dict(event, context_index=2), "C"),
            {"table_name": "fluxio-state-data", "partition_key": "demo:py-exec:fan"},
        )
        self.assertEqual(self.c.get_items("fan"), ["A", "b", "C"])
        with self.assertRaises(StateDataClientError):
            self.c.get_item_for_map_iteration({"context_index": 0})

    def test_bad_arguments_fail_before_any_request(self):
        with self.assertRaises(TypeError):
            self.c.put_item("bad", {"x": float("nan")})
        with self.assertRaises(TypeError):
            self.c.put_item("bad", object())
        with self.assertRaises(ValueError):
            self.c.get_item("bad", -1)

    def test_bad_key_is_a_clear_400(self):
        with self.assertRaises(StateDataClientError) as cm:
            self.c.get_item("x" * 300)
        self.assertEqual(cm.exception.status, 400)
        self.assertEqual(cm.exception.code, "Request.InvalidPath")


@unittest.skipUnless(URL, "needs a running state data server (FLUXIO_STATE_DATA_URL)")
class GlobalItems(unittest.TestCase):
    def test_read_what_another_project_stored(self):
        writer = StateDataClient(URL, "producer", "run-py")
        pointer = writer.put_items("orders", [{"id": 1}, {"id": 2}])
        reader = StateDataClient(URL, "consumer", None)
        self.assertEqual(reader.get_global_items(pointer["table_name"], pointer["partition_key"]), [{"id": 1}, {"id": 2}])
        self.assertEqual(reader.get_global_item(pointer["table_name"], pointer["partition_key"], 1), {"id": 2})

    def test_global_puts_write_the_named_table(self):
        c = client()
        self.assertEqual(c.put_global_item("py-table", "shared:cfg", {"on": True}), {"table_name": "py-table", "partition_key": "shared:cfg"})
        self.assertEqual(
            c.put_global_items("py-table", "shared:list", [1, 2]),
            {"table_name": "py-table", "partition_key": "shared:list", "items": [1, 1]},
        )
        self.assertEqual(c.get_global_item("py-table", "shared:cfg"), {"on": True})
        self.assertEqual(c.get_global_items("py-table", "shared:list"), [1, 2])
        with self.assertRaises(NoItemFound):
            c.get_global_item("fluxio-state-data", "shared:cfg")

    def test_client_table_name(self):
        c = client(table_name="py-own-table")
        self.assertEqual(c.put_item("k", "v"), {"table_name": "py-own-table", "partition_key": "demo:py-exec:k", "key": "k"})
        self.assertEqual(c.put_items("ks", ["a"]), {"table_name": "py-own-table", "partition_key": "demo:py-exec:ks", "key": "ks", "items": [1]})
        self.assertEqual(c.get_item("k"), "v")


@unittest.skipUnless(URL, "needs a running state data server (FLUXIO_STATE_DATA_URL)")
class ReplaceAndIsolation(unittest.TestCase):
    """Issue 11: put_items replaces as a whole, even split over requests; projects are isolated."""

    def test_put_items_replaces_the_earlier_list(self):
        c = client()
        c.put_items("replace", list(range(10)))
        c.put_items("replace", ["new", "new", "new"])
        self.assertEqual(c.get_items("replace"), ["new", "new", "new"])

    def test_a_list_split_over_requests_is_committed_as_one(self):
        from fluxio_task import state_data

        c = client()
        c.put_items("split", ["old"] * 4)
        saved = state_data.MAX_ITEMS_PER_REQUEST
        state_data.MAX_ITEMS_PER_REQUEST = 3  # force 4 requests of one generation for 10 elements
        try:
            self.assertEqual(c.put_items("split", list(range(10)))["items"], [1] * 10)
        finally:
            state_data.MAX_ITEMS_PER_REQUEST = saved
        self.assertEqual(c.get_items("split"), list(range(10)))

    def test_another_project_may_read_but_not_write(self):
        owner = StateDataClient(URL, "py-alpha", "run-1")
        pointer = owner.put_items("mine", [1, 2])
        other = StateDataClient(URL, "py-beta", "run-1")
        self.assertEqual(other.get_items("mine"), [])  # beta's own run-1 is another namespace
        self.assertEqual(other.get_global_items(pointer["table_name"], pointer["partition_key"]), [1, 2])
        with self.assertRaises(StateDataClientError) as cm:
            other.put_global_items(pointer["table_name"], pointer["partition_key"], ["overwritten"])
        self.assertEqual((cm.exception.status, cm.exception.code), (403, "StateData.PartitionNotOwned"))
        self.assertEqual(owner.get_items("mine"), [1, 2])


@unittest.skipUnless(URL, "needs a running state data server (FLUXIO_STATE_DATA_URL)")
class Offload(unittest.TestCase):
    def setUp(self):
        self.c = client()

    def _blob_files(self):
        root = os.environ["FLUXIO_TEST_BLOB_DIR"]
        return {os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs}

    def test_boundary(self):
        before = self._blob_files()
        self.c.put_item("b389999", json_of_size(389_999))
        self.assertEqual(self._blob_files(), before)
        self.c.put_item("b390001", json_of_size(390_001))
        self.assertEqual(len(self._blob_files() - before), 1)
        self.assertEqual(self.c.get_item("b389999"), json_of_size(389_999))
        self.assertEqual(self.c.get_item("b390001"), json_of_size(390_001))

    def test_put_items_with_big_elements(self):
        values = [json_of_size(400_000), {"small": True}, json_of_size(6 * 1024 * 1024)]
        self.assertEqual(self.c.put_items("bigs", values)["items"], [1, 1, 1])
        self.assertEqual(self.c.get_items("bigs"), values)

    def test_put_items_above_the_body_limit_and_paged_get_items(self):
        values = [str(i).ljust(379_998, "v") for i in range(16)]
        self.assertEqual(self.c.put_items("paged", values)["items"], [1] * 16)
        self.assertEqual(self.c.get_items("paged"), values)

    def test_hundred_megabytes_through_presigned_urls(self):
        value = json_of_size(100_000_000)
        self.c.put_item("hundred", value)
        self.assertTrue(self.c.get_item("hundred") == value)

    def test_download_is_verified(self):
        self.c.put_item("verify", json_of_size(6_000_000))
        raw = _http.request("GET", URL + "/v1/projects/demo/executions/py-exec/items/verify/0")
        download = raw["download"]
        self.assertEqual(download["sha256"], hashlib.sha256(json.dumps(json_of_size(6_000_000)).encode()).hexdigest())
        with self.assertRaises(StateDataClientError) as cm:
            self.c._download(dict(download, sha256="0" * 64))
        self.assertEqual(cm.exception.code, "StateData.IntegrityError")

    def test_ttl_days_sets_the_lifetime(self):
        # the vitest harness checks the stored expires_at of py-exec:ttl (now + 1 day)
        c = client(ttl_days=1)
        c.put_item("ttl", 1)
        self.assertEqual(c.get_item("ttl"), 1)


@unittest.skipUnless(URL, "needs a running state data server (FLUXIO_STATE_DATA_URL)")
class Stop(unittest.TestCase):
    def test_stop_execution_then_already_finished(self):
        c = client()
        self.assertEqual(asyncio.run(c.stop_execution(error="FeatureOff", cause="flag disabled")), "stopped")
        self.assertEqual(asyncio.run(c.stop_execution()), "already-finished")

    def test_stop_unknown_execution(self):
        with self.assertRaises(StateDataClientError) as cm:
            asyncio.run(client(namespace="never-ran").stop_execution())
        self.assertEqual(cm.exception.status, 404)


class Signing(unittest.TestCase):
    """No server needed: when requests are SigV4-signed."""

    def test_loopback_is_not_signed(self):
        h = _http.sign_headers("GET", "http://127.0.0.1:4510/v1/x", {"a": "b"}, None)
        self.assertEqual(h, {"a": "b"})

    def test_api_gateway_url_is_signed_when_credentials_exist(self):
        try:
            import botocore  # noqa: F401
        except ImportError:
            self.assertEqual(_http.sign_headers("GET", "https://x.execute-api.eu-west-1.amazonaws.com/v1/x", {}, None), {})
            return
        env = dict(os.environ)
        os.environ.update(AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret", AWS_REGION="eu-west-1")
        try:
            h = _http.sign_headers("PUT", "https://x.execute-api.eu-west-1.amazonaws.com/v1/x", {"content-type": "application/json"}, b"{}")
        finally:
            os.environ.clear()
            os.environ.update(env)
        self.assertTrue(h["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))
        self.assertIn("/eu-west-1/execute-api/aws4_request", h["Authorization"])

    def test_auth_can_be_turned_off(self):
        env = dict(os.environ)
        os.environ.update(FLUXIO_STATE_DATA_AUTH="none", AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret")
        try:
            self.assertEqual(_http.sign_headers("GET", "https://x.execute-api.eu-west-1.amazonaws.com/v1/x", {}, None), {})
        finally:
            os.environ.clear()
            os.environ.update(env)


if __name__ == "__main__":
    unittest.main()
