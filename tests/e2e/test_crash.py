#!/usr/bin/env python3
"""
test_crash.py - durability of lodged declarations across kill -9.

What it checks first: the server says at start what an answered
declaration survives (SQLite's default: a power cut too).

Then, twice (the server is SIGKILLed at two different moments
of a burst: early, after ~15% of the burst is acknowledged, and later,
after ~60%):
  * a burst of concurrent lodgings (8 threads x 40 declarations, three
    organisations, three office/direction series: 5167 import, 5100
    import, 5301 export; every request with its own Idempotency-Key) is cut
    by SIGKILL of the server;
  * after a restart on the same database, every declaration that got a 201
    is there, with the body that was sent, for the organisation that sent
    it, status accepted;
  * for each office/year/direction the sequence numbers present are exactly
    1..N: no gaps, no duplicates (on PostgreSQL, once the numbers given
    back by the lodgements the kill cut short are taken again: the next
    lodgements at their offices take them, lowest first, which is checked);
  * each stored declaration has all its lodging events (one lodged, one
    accepted, one task.opened per task, assessed): no half-written lodging;
  * the clients that got no answer retry with the same key and body: they
    get either the stored result (Idempotent-Replayed: true, a number no
    acknowledged client holds) or a new number; a second retry replays the
    same number; every acknowledged key replays its original answer
    byte-for-byte;
  * afterwards the declarations in the database are exactly those the keys
    account for (no ghost lodgings) and the sequences are still gap-free;
  * the server finally stops cleanly (exit 0, no sanitizer report).

Run: KOUAN_BIN=/work/main/build-test/kouan python3 tests/e2e/test_crash.py
"""
import http.client
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kouan_e2e import (DEMO_USCC, PG, Server, apples, check, eq, laptops,  # noqa: E402
                       run_tests, series_gaps, take_given_back, tshirts_export)

S = Server("crash")
T = {}
ORGS = ("trader", "broker", "trader2")
TEMPLATES = (apples, laptops, tshirts_export)
THREADS = 8
PER_THREAD = 40

ACKED = {}      # key -> (number, org, body, response text)
LOST = {}       # key -> (org, body): sent or attempted, no answer
EXTRA = {}      # key -> number: numbers found by retrying LOST keys
DEMO = set()


class Burst:
    def __init__(self, rnd):
        self.rnd = rnd
        self.lock = threading.Lock()
        self.acked = {}
        self.lost = {}
        self.refused = []
        self.stop = threading.Event()

    def worker(self, t):
        org = ORGS[t % len(ORGS)]
        for i in range(PER_THREAD):
            if self.stop.is_set():
                return
            k = "crash-r%d-t%d-i%d-%d" % (self.rnd, t, i, os.getpid())
            body = TEMPLATES[(t + i) % len(TEMPLATES)](
                org, bill_of_lading="CR-%d-%d-%d" % (self.rnd, t, i))
            data = json.dumps(body).encode()
            c = http.client.HTTPConnection("127.0.0.1", S.port, timeout=30)
            try:
                c.request("POST", "/v1/declarations", body=data,
                          headers={"Authorization": "Bearer " + T[org],
                                   "Idempotency-Key": k,
                                   "Content-Type": "application/json"})
                r = c.getresponse()
                text = r.read().decode()
                status = r.status
            except (OSError, http.client.HTTPException):
                with self.lock:
                    self.lost[k] = (org, body)
                return          # the server is gone
            finally:
                c.close()
            with self.lock:
                if status == 201:
                    self.acked[k] = (json.loads(text)["number"], org, body, text)
                else:
                    self.refused.append((k, status, text[:300]))

    def run(self, kill_after):
        """Run the burst; SIGKILL the server once kill_after are acked."""
        ths = [threading.Thread(target=self.worker, args=(t,)) for t in range(THREADS)]
        t0 = time.monotonic()
        for th in ths:
            th.start()
        killed = False
        while any(th.is_alive() for th in ths):
            with self.lock:
                n = len(self.acked)
            if n >= kill_after:
                S.kill9()
                killed = True
                break
            if time.monotonic() - t0 > 50:
                break
            time.sleep(0.002)
        with self.lock:
            at_kill = len(self.acked)
        self.stop.set()
        for th in ths:
            th.join(60)
        sys.stderr.write("round %d: killed=%s after %d acks (%.2fs); %d acked, %d lost, "
                         "%d refused\n" % (self.rnd, killed, at_kill, time.monotonic() - t0,
                                           len(self.acked), len(self.lost), len(self.refused)))
        eq(self.refused, [], "non-201 answers during the burst")
        check(killed, "the burst ended before the kill (only %d acked)" % at_kill)
        check(self.lost, "no request was cut by the kill")
        ACKED.update(self.acked)
        LOST.update(self.lost)


def all_numbers():
    return [d["number"] for d in S.all_declarations(T["analyst"])]


def check_sequences(numbers):
    eq(len(numbers), len(set(numbers)), "duplicate declaration numbers")
    eq(series_gaps(numbers), [], "numbers missing from their series (office, year, "
       "direction)")


def check_acked_present():
    missing, wrong = [], []
    for k, (num, org, body, _) in ACKED.items():
        r = S.call("GET", "/v1/declarations/" + num, token=T["analyst"])
        if r.status != 200:
            missing.append((k, num, r.status))
            continue
        v = r.json
        if v["declaration"] != body or v["organisation"] != DEMO_USCC[org]:
            wrong.append((k, num))
    eq(missing, [], "acknowledged declarations missing after restart")
    eq(wrong, [], "acknowledged declarations stored with another body or organisation")


def check_events_complete(numbers):
    events, _ = S.feed(T["analyst"])
    by = {}
    for e in events:
        by.setdefault(e["declaration_number"], []).append(e["type"])
    bad = []
    for n in numbers:
        if n in DEMO:
            continue
        types = by.get(n, [])
        r = S.call("GET", "/v1/declarations/" + n, token=T["analyst"])
        ntasks = len(r.json["tasks"])
        # lodged, accepted, a task.opened per agency, its match with the
        # manifest line (or the wait for it), duties assessed, risk assessed
        matched = types.count("declaration.matched") + types.count("declaration.awaiting_manifest")
        if (types.count("declaration.lodged"), types.count("declaration.accepted"),
                types.count("task.opened"), matched, types.count("duties.assessed"),
                types.count("declaration.assessed"),
                len(types)) != (1, 1, ntasks, 1, 1, 1, ntasks + 5):
            bad.append((n, types, ntasks))
    eq(bad, [], "declarations with incomplete lodging events")


def take_again(body, i):
    """Lodge a declaration that takes a number given back (no key accounts
    for it otherwise: it counts as found by a retry)."""
    k = "given-back-%d-%d" % (len(EXTRA), i)
    r = S.call("POST", "/v1/declarations", body, token=T["trader"],
               headers={"Idempotency-Key": k})
    if r.status == 201:
        EXTRA[k] = r.json["number"]
    return r


def restart_and_verify():
    S.start()
    for org in ORGS + ("analyst",):
        T[org] = S.login(org)
    nums = all_numbers()
    check_acked_present()
    if PG:
        nums += take_given_back(nums, take_again)
    check_sequences(nums)
    check_events_complete(nums)
    acked_numbers = {v[0] for v in ACKED.values()}
    check(acked_numbers <= set(nums), "acknowledged numbers missing")
    return nums


def retry_lost():
    """Retry every unanswered request with its key; check replays."""
    acked_numbers = {v[0] for v in ACKED.values()}
    before = set(all_numbers())
    replayed = new = 0
    for k, (org, body) in sorted(LOST.items()):
        if k in EXTRA:
            continue
        h = {"Idempotency-Key": k}
        r = S.call("POST", "/v1/declarations", body, token=T[org], headers=h)
        eq(r.status, 201, "retry of %s: %r" % (k, r))
        num = r.json["number"]
        check(num not in acked_numbers, "retry of %s got %s, a number another client holds"
              % (k, num))
        eq(r.json["declaration"], body, "retry body")
        if r.header("idempotent-replayed") == "true":
            replayed += 1
            check(num in before, "replayed %s is not in the database" % num)
        else:
            new += 1
            check(num not in before, "new answer %s reuses a stored number" % num)
        r2 = S.call("POST", "/v1/declarations", body, token=T[org], headers=h)
        eq((r2.status, r2.header("idempotent-replayed"), r2.json["number"]),
           (201, "true", num), "second retry of %s" % k)
        eq(r2.text, r.text, "the replay of %s is the answer the retry got" % k)
        EXTRA[k] = num
    sys.stderr.write("retried %d unanswered: %d replayed (committed before the kill), "
                     "%d lodged anew\n" % (replayed + new, replayed, new))


def check_acked_replay():
    bad = []
    for k, (num, org, body, text) in sorted(ACKED.items()):
        r = S.call("POST", "/v1/declarations", body, token=T[org],
                   headers={"Idempotency-Key": k})
        if (r.status, r.header("idempotent-replayed"), r.text) != (201, "true", text):
            bad.append((k, r.status, r.header("idempotent-replayed"), r.text[:100]))
    eq(bad, [], "acknowledged keys whose replay differs from the original answer")


def check_accounting():
    nums = all_numbers()
    check_sequences(nums)
    accounted = DEMO | {v[0] for v in ACKED.values()} | set(EXTRA.values())
    eq(sorted(set(nums) - accounted), [], "declarations no key accounts for")
    eq(sorted(accounted - set(nums)), [], "accounted declarations missing")


# --------------------------------------------------------------------------

def test_start():
    S.start()
    # what an answered declaration survives, said at start: on SQLite by
    # default a power cut too (each commit flushed before its answer); on
    # PostgreSQL the cluster's setting, not the server's
    line = S.read_stdout().splitlines()[0]
    if PG:
        check(line.endswith(")") and "commit" not in line, "start line: %r" % line)
    else:
        check(line.endswith("; each commit on the disk before its answer, --sync power)"),
              "start line: %r" % line)
    for org in ORGS + ("analyst",):
        T[org] = S.login(org)
    DEMO.update(all_numbers())
    eq(len(DEMO), 6, "demo declarations")


def test_kill_early_in_burst():
    Burst(1).run(kill_after=THREADS * PER_THREAD * 15 // 100)


def test_restart_keeps_acknowledged_1():
    restart_and_verify()


def test_retry_unanswered_1():
    retry_lost()
    check_accounting()


def test_kill_later_in_burst():
    Burst(2).run(kill_after=THREADS * PER_THREAD * 60 // 100)


def test_restart_keeps_acknowledged_2():
    restart_and_verify()


def test_retry_unanswered_2():
    retry_lost()
    check_accounting()


def test_replays_match():
    check_acked_replay()
    check_accounting()


def test_stops_cleanly():
    check(S.healthy(), "healthy")
    S.stop()


if __name__ == "__main__":
    run_tests([
        test_start,
        test_kill_early_in_burst,
        test_restart_keeps_acknowledged_1,
        test_retry_unanswered_1,
        test_kill_later_in_burst,
        test_restart_keeps_acknowledged_2,
        test_retry_unanswered_2,
        test_replays_match,
        test_stops_cleanly,
    ])
