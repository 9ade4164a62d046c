#!/usr/bin/env python3
"""
test_batch.py - POST /v1/declarations/batch on a real server (SQLite, or
PostgreSQL with KOUAN_TEST_STORE=postgres).

What it checks:
  * a batch of four: two good declarations lodged (numbers that follow each
    other, readable at once), one with a bad HS code answered 400 with its
    field inside the batch's body, one that declares the first's
    consignment again answered 409; the refused ones leave no declaration;
  * the same batch sent again replays the accepted items with their
    numbers and lodges nothing;
  * an item's key used with another declaration answers 409 on
    /declarations/N/idempotency_key;
  * the envelope: no declarations, 101 items, an item without its key or
    declaration, an unknown member: 400 with every field, nothing lodged;
    a body that is not JSON 400, another media type 415;
  * roles: an officer 403, no token 401;
  * (PostgreSQL) lodging by the hundred grows tables past the statistics
    the planner has of them; the server gathers them again by itself
    within seconds (its log names the tables, and PostgreSQL counts an
    ANALYZE of each), with autovacuum kept off them so that only kouan
    can have done it.

Run: KOUAN_BIN=... python3 tests/e2e/test_batch.py
"""
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kouan_e2e import (PG, Server, check, check_problem, eq, laptops, psql,  # noqa: E402
                       run_tests)

S = Server("batch")
T = {}


def count():
    r = S.call("GET", "/v1/declarations?limit=500", token=T["trader"])
    eq(r.status, 200, "list")
    return len(r.json["declarations"])


def batch(items, token=None):
    return S.call("POST", "/v1/declarations/batch", {"declarations": items},
                  token=token or T["trader"])


def test_start():
    S.start()
    T["trader"] = S.login("trader")
    T["customs"] = S.login("customs")


def test_each_item_answered_on_its_own():
    a, c = laptops(), laptops()
    bad = laptops()
    bad["items"][0]["hs_code"] = "84713"
    before = count()
    items = [{"idempotency_key": "e2e-b-1", "declaration": a},
             {"idempotency_key": "e2e-b-2", "declaration": bad},
             {"idempotency_key": "e2e-b-3", "declaration": a},
             {"idempotency_key": "e2e-b-4", "declaration": c}]
    r = batch(items)
    eq(r.status, 200, "batch: %r" % r)
    eq((r.json["accepted"], r.json["refused"]), (2, 2), "accepted and refused")
    res = r.json["results"]
    eq([x["index"] for x in res], [0, 1, 2, 3], "indices")
    eq([x["status"] for x in res], [201, 400, 409, 201], "statuses")
    eq([x.get("replayed") for x in res], [False, None, None, False], "not replays")
    first, last = res[0]["number"], res[3]["number"]
    eq(int(last[9:]), int(first[9:]) + 1, "the refused items took no number")
    fields = [e["field"] for e in res[1]["problem"]["errors"]]
    eq(fields, ["/declarations/1/declaration/items/0/hs_code"], "the bad item's field")
    eq(res[1]["problem"]["instance"], "/v1/declarations/batch", "instance")
    check("number" not in res[2], "a refused item has no number")
    eq(count(), before + 2, "two declarations lodged")
    for n in (first, last):
        g = S.call("GET", "/v1/declarations/" + n, token=T["trader"])
        eq(g.status, 200, "lodged %s is there" % n)
    T["numbers"] = (first, last)

    again = batch(items)
    eq(again.status, 200, "again: %r" % again)
    res = again.json["results"]
    eq([x["status"] for x in res], [201, 400, 409, 201], "statuses again")
    eq([res[0].get("replayed"), res[3].get("replayed")], [True, True], "replays")
    eq((res[0]["number"], res[3]["number"]), T["numbers"], "the same numbers")
    eq(count(), before + 2, "nothing more lodged")

    k = batch([{"idempotency_key": "e2e-b-1", "declaration": c}])
    eq(k.status, 200, "key reuse: %r" % k)
    eq(k.json["results"][0]["status"], 409, "a key used with another declaration")
    eq([e["field"] for e in k.json["results"][0]["problem"]["errors"]],
       ["/declarations/0/idempotency_key"], "the item's key")


def test_the_envelope():
    before = count()
    r = S.call("POST", "/v1/declarations/batch", {}, token=T["trader"])
    check_problem(r, 400, "invalid-request", ["/declarations"])
    check_problem(batch([]), 400, "invalid-request", ["/declarations"])
    d = laptops()
    many = [{"idempotency_key": "e2e-m-%d" % i, "declaration": d} for i in range(101)]
    check_problem(batch(many), 400, "invalid-request", ["/declarations"])
    r = batch([{"idempotency_key": "e2e-x-0", "declaration": d}, 7,
               {"declaration": d}, {"idempotency_key": "with space", "declaration": "x"},
               {"idempotency_key": "e2e-x-4", "declaration": d, "urgent": True}])
    check_problem(r, 400, "invalid-request",
                  ["/declarations/1", "/declarations/2/idempotency_key",
                   "/declarations/3/idempotency_key", "/declarations/3/declaration",
                   "/declarations/4/urgent"])
    r = S.call("POST", "/v1/declarations/batch", b"{not json", token=T["trader"],
               headers={"Content-Type": "application/json"})
    check_problem(r, 400, "invalid-request", [""])
    r = S.call("POST", "/v1/declarations/batch", json.dumps({"declarations": []}).encode(),
               token=T["trader"], headers={"Content-Type": "text/plain"})
    check_problem(r, 415)
    eq(count(), before, "nothing lodged")


def test_roles():
    item = [{"idempotency_key": "e2e-r-1", "declaration": laptops()}]
    check_problem(batch(item, token=T["customs"]), 403)
    r = S.call("POST", "/v1/declarations/batch", {"declarations": item})
    check_problem(r, 401)


GATHERED = re.compile(r"planner statistics: gathered again for \d+ grown tables?: (.*)")


def test_grown_tables_are_analysed_by_the_server():
    if not PG:
        print("# SQLite plans from fixed estimates: no statistics to go stale")
        return
    # only kouan may analyse: autovacuum off every table (partitions included)
    psql(S.db, "DO $$ DECLARE t text; BEGIN FOR t IN SELECT relname FROM pg_class"
         " WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace LOOP"
         " EXECUTE format('ALTER TABLE %I SET (autovacuum_enabled = false)', t);"
         " END LOOP; END $$")
    seen = len(S.read_stderr())
    for i in range(12):
        items = [{"idempotency_key": "e2e-grow-%d-%d" % (i, j), "declaration": laptops()}
                 for j in range(50)]
        r = batch(items)
        eq(r.status, 200, "batch %d: %r" % (i, r))
        check(all("number" in x for x in r.json["results"]), "all lodged: %r" % r)
    # 1,200 changes to the idempotency records (each lodgement's claim and
    # its answer), where their statistics counted a few rows at most
    deadline = time.monotonic() + 30
    while True:
        tables = [t for line in GATHERED.findall(S.read_stderr()[seen:])
                  for t in line.split(", ")]
        if "idempotency_keys" in tables:
            break
        check(time.monotonic() < deadline, "idempotency_keys not analysed in 30 s:\n%s"
              % S.read_stderr()[seen:][-2000:])
        time.sleep(0.2)
    for t in tables:
        n = psql(S.db, "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = '%s'" % t)
        check(n and int(n[0]) >= 1, "PostgreSQL counts no ANALYZE of %s: %r" % (t, n))


def test_stop():
    S.stop()


if __name__ == "__main__":
    run_tests([test_start, test_each_item_answered_on_its_own, test_the_envelope, test_roles,
               test_grown_tables_are_analysed_by_the_server, test_stop])
