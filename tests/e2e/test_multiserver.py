#!/usr/bin/env python3
"""
test_multiserver.py - two kouan servers on one database, as a province-wide
deployment runs them (several servers behind a proxy). On PostgreSQL this is
the real thing; on SQLite two processes share the file, which must also be
safe.

What it checks:
  * a declaration lodged through server A is decided by customs through B
    and by quarantine through A, and is released once; both servers show
    the same declaration and timeline;
  * concurrent submissions on both servers (4 clients on each) all get
    distinct numbers, and every office/year/direction runs 1..N with no gap;
  * two followers of the event feed, each alternating its polls between the
    servers while the load runs, see exactly the same events, each once, in
    the same order, and that order is the final feed; on PostgreSQL the
    ids are handed out in commit order, so no event appears behind a
    cursor already passed;
  * server B killed with SIGKILL in the middle of a burst on both: every
    declaration acknowledged by either server is there afterwards, A
    carries on taking declarations, numbers given back by the lodgements
    that died with B are the next ones A gives (on PostgreSQL A does not
    wait for B's numbers, so it may have given higher ones meanwhile), and
    then every series runs 1..N; B restarted joins again;
  * (PostgreSQL) a long-poll on B returns when a declaration is lodged
    through A, long before its wait runs out; an admin's reference edit
    through A is used by B's validation at once.

Run: KOUAN_BIN=... python3 tests/e2e/test_multiserver.py (add
KOUAN_TEST_STORE=postgres KOUAN_TEST_PG_STATE=FILE for PostgreSQL).
"""
import collections
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kouan_e2e import (PG, Server, apples, check, eq, laptops, manifest_line,  # noqa: E402
                       run_tests, series_gaps, take_given_back)

A = Server("multi-a")
B = Server("multi-b")
T = {}
ACKED = {}          # number -> bill of lading, every 201 from either server
ACKED_LOCK = threading.Lock()


def test_start():
    A.start()
    # B shares A's database and release key; it must not initialise again
    B.share(A).start()
    for user in ("trader", "trader2", "customs", "quarantine", "analyst", "admin"):
        T[user] = A.login(user)
    eq(B.call("GET", "/v1/me", token=T["trader"]).status, 200,
       "a token from A works on B")


def lodge(srv, body, key, token=None):
    r = srv.call("POST", "/v1/declarations", body, token=token or T["trader"],
                 headers={"Idempotency-Key": key})
    if r.status == 201:
        with ACKED_LOCK:
            ACKED[r.json["number"]] = body["bill_of_lading"]
    return r


def test_lodge_on_one_decide_on_the_other():
    body = apples(bill_of_lading="MULTI-1")
    manifest_line(A, body)  # the carrier manifested it: it may be released
    r = lodge(A, body, "multi-1")
    eq(r.status, 201, "lodge through A: %r" % r)
    n = r.json["number"]
    path = "/v1/declarations/%s/tasks/%%s/decision" % n
    eq(B.call("POST", path % "customs", {"decision": "cleared", "reason": "documents checked"}, token=T["customs"]).status,
       200, "customs decides through B")
    eq(A.call("POST", path % "quarantine", {"decision": "cleared", "reason": "documents checked"},
              token=T["quarantine"]).status, 200, "quarantine decides through A")
    va = A.call("GET", "/v1/declarations/" + n, token=T["trader"]).json
    vb = B.call("GET", "/v1/declarations/" + n, token=T["trader"]).json
    eq(va["status"], "released", "released")
    eq(va, vb, "both servers show the same declaration")
    ea = A.call("GET", "/v1/declarations/%s/events" % n, token=T["analyst"]).json["events"]
    eb = B.call("GET", "/v1/declarations/%s/events" % n, token=T["analyst"]).json["events"]
    eq(ea, eb, "both servers show the same timeline")
    eq([e["type"] for e in ea].count("declaration.released"), 1, "released once")


class Follower(threading.Thread):
    """Follows the feed as the analyst, alternating servers at every poll."""

    def __init__(self, name, servers):
        super().__init__(name=name, daemon=True)
        self.servers = servers
        self.cursor = "0"
        self.ids = []
        self.stop = threading.Event()
        self.error = None

    def poll_once(self, i):
        srv = self.servers[i % len(self.servers)]
        if srv.proc is None:
            srv = self.servers[0]
        r = srv.call("GET", "/v1/events?after=%s&limit=200" % self.cursor,
                     token=T["analyst"], timeout=30)
        if r.status != 200:
            return
        for e in r.json["events"]:
            self.ids.append(int(e["cursor"]))
        self.cursor = r.json["cursor"]

    def run(self):
        i = 0
        try:
            while not self.stop.is_set():
                try:
                    self.poll_once(i)
                except OSError:
                    pass  # a server being killed
                i += 1
                time.sleep(0.01)
            for j in range(50):  # drain
                before = len(self.ids)
                self.poll_once(0)
                if len(self.ids) == before:
                    break
        except Exception as e:  # noqa: BLE001
            self.error = e


def burst(clients_per_server, per_client, tag, servers):
    results = collections.Counter()

    def client(srv, k):
        org = "trader" if k % 2 == 0 else "trader2"
        for i in range(per_client):
            body = (laptops if i % 2 else apples)(org=org, bill_of_lading="%s-%d-%d-%d" % (
                tag, servers.index(srv), k, i))
            try:
                r = lodge(srv, body, "%s-%d-%d-%d" % (tag, servers.index(srv), k, i),
                          token=T[org])
                results[r.status] += 1
            except OSError:
                results["no answer"] += 1

    threads = [threading.Thread(target=client, args=(srv, k))
               for srv in servers for k in range(clients_per_server)]
    for t in threads:
        t.start()
    return threads, results


def check_numbering(gaps_allowed=False):
    decls = A.all_declarations(T["analyst"])
    numbers = [d["number"] for d in decls]
    eq(len(numbers), len(set(numbers)), "declaration numbers are distinct")
    if not gaps_allowed:
        eq(series_gaps(numbers), [], "every series runs 1..N")
    missing = [n for n in ACKED if n not in set(numbers)]
    eq(missing, [], "acknowledged declarations missing")
    return numbers


def test_concurrent_load_and_one_feed():
    f1 = Follower("f1", [A, B])
    f2 = Follower("f2", [B, A])
    f1.start()
    f2.start()
    threads, results = burst(4, 15, "load", [A, B])
    for t in threads:
        t.join()
    time.sleep(0.3)
    f1.stop.set()
    f2.stop.set()
    f1.join(60)
    f2.join(60)
    check(f1.error is None and f2.error is None, "followers: %r %r" % (f1.error, f2.error))
    eq(results[201], 120, "every submission acknowledged: %r" % results)
    check_numbering()
    final, _ = A.feed(T["analyst"])
    final_ids = [int(e["cursor"]) for e in final]
    eq(final_ids, sorted(final_ids), "the feed is in id order")
    eq(len(final_ids), len(set(final_ids)), "no event twice in the feed")
    for name, seen in (("follower 1", f1.ids), ("follower 2", f2.ids)):
        missed = sorted(set(final_ids) - set(seen))
        twice = sorted(i for i, c in collections.Counter(seen).items() if c > 1)
        check(not missed and not twice and seen == final_ids,
              "%s: missed %r, saw twice %r, in order %s (of %d events)"
              % (name, missed[:20], twice[:20], seen == sorted(seen), len(final_ids)))


def test_kill_one_server_mid_burst():
    threads, results = burst(3, 20, "kill", [A, B])
    time.sleep(0.5)
    B.kill9()
    for t in threads:
        t.join()
    check(results[201] > 0, "some acknowledged: %r" % results)
    # A carries on
    r = lodge(A, laptops(bill_of_lading="AFTER-KILL"), "after-kill")
    eq(r.status, 201, "A still takes declarations: %r" % r)
    if PG:
        take_given_back(check_numbering(gaps_allowed=True),
                        lambda body, i: lodge(A, body, "given-back-%d" % i))
    check_numbering()
    B.start()
    eq(B.call("GET", "/v1/declarations/" + r.json["number"], token=T["trader"]).status, 200,
       "B, restarted, sees what A took meanwhile")
    check_numbering()


def test_servers_tell_each_other():
    if not PG:
        return  # with SQLite there is no channel between processes
    cursor = B.call("GET", "/v1/events?after=0&limit=1000000", token=T["analyst"]).json
    # drain to the end
    _, cursor = B.feed(T["analyst"])
    out = {}

    def wait_on_b():
        t0 = time.monotonic()
        r = B.call("GET", "/v1/events?after=%s&wait=20" % cursor, token=T["analyst"],
                   timeout=40)
        out["dt"] = time.monotonic() - t0
        out["r"] = r

    t = threading.Thread(target=wait_on_b)
    t.start()
    time.sleep(0.5)
    eq(lodge(A, laptops(bill_of_lading="WAKE-1"), "wake-1").status, 201, "lodge on A")
    t.join(45)
    eq(out["r"].status, 200, "long-poll on B")
    check(len(out["r"].json["events"]) >= 3, "B's long-poll got A's events")
    check(out["dt"] < 15, "B's long-poll woke on A's commit (took %.1fs of 20)" % out["dt"])

    # an admin adds a commodity through A; B accepts it at once
    entry = {"name_en": "Durian, fresh", "name_zh": "鲜榴莲", "unit": "035",
             "agencies": ["customs", "quarantine"]}
    eq(A.call("PUT", "/v1/reference/commodities/0810600001", entry, token=T["admin"]).status,
       200, "admin edit through A")
    body = laptops(bill_of_lading="DURIAN-1")
    body["items"][0].update(hs_code="0810600001", unit="035")  # its legal unit
    ok = False
    for _ in range(50):
        r = lodge(B, body, "durian-1")
        if r.status == 201:
            ok = True
            break
        time.sleep(0.1)
    check(ok, "B validates against the edited reference data: %r" % r)
    eq(sorted(t["agency"] for t in r.json["tasks"]), ["customs", "quarantine"],
       "B uses the new entry's agencies")


def test_stop():
    A.stop()
    B.stop()


if __name__ == "__main__":
    run_tests([
        test_start,
        test_lodge_on_one_decide_on_the_other,
        test_concurrent_load_and_one_feed,
        test_kill_one_server_mid_burst,
        test_servers_tell_each_other,
        test_stop,
    ])
