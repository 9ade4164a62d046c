#!/usr/bin/env python3
"""
test_followers.py - followers of the event feed wait parked: against a
server with two worker threads, forty long-polls wait at once and the
server still answers everything else; a new event reaches every one of
them; a stop answers the ones still waiting at once and exits cleanly.

Before parking, each long-poll held a worker thread for its whole wait,
so two of them stopped a two-thread server until they ran out.
"""
import json
import os
import sys
import threading
import time
import http.client

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kouan_e2e import Server, check, eq, laptops, run_tests  # noqa: E402

S = Server("followers", extra_args=["--threads", "2", "--longpoll-max-s", "60"])
T = {}
FOLLOWERS = 40


class Follower(threading.Thread):
    """One long-poll from `after`, waiting up to 60 s."""

    def __init__(self, after):
        super().__init__(daemon=True)
        self.after = after
        self.status = None
        self.events = None
        self.answered_at = None

    def run(self):
        c = http.client.HTTPConnection("127.0.0.1", S.port, timeout=90)
        try:
            c.request("GET", "/v1/events?after=%s&wait=60" % self.after,
                      headers={"Authorization": "Bearer " + T["analyst"]})
            r = c.getresponse()
            self.status = r.status
            self.events = json.loads(r.read())["events"]
        finally:
            self.answered_at = time.monotonic()
            c.close()


def end_of_feed():
    cursor = "0"
    while True:
        r = S.call("GET", "/v1/events?after=%s&limit=1000" % cursor, token=T["analyst"])
        eq(r.status, 200, "feed")
        if not r.json["events"]:
            return cursor
        cursor = r.json["cursor"]


def start_followers(cursor):
    fs = [Follower(cursor) for _ in range(FOLLOWERS)]
    for f in fs:
        f.start()
    time.sleep(1.0)  # let them reach the server and park
    check(all(f.status is None for f in fs), "a follower answered before any event")
    return fs


def test_start():
    S.start()
    for u in ("analyst", "trader"):
        T[u] = S.login(u)


def test_parked_followers_leave_the_workers_free():
    fs = start_followers(end_of_feed())
    # forty waiting on two threads: everything else is still answered
    for _ in range(20):
        eq(S.call("GET", "/v1/healthz").status, 200, "healthz while followers wait")
        eq(S.call("GET", "/v1/me", token=T["trader"]).status, 200, "me while followers wait")
    check(all(f.status is None for f in fs), "the followers are still waiting")
    # one declaration: every follower gets its events
    r = S.call("POST", "/v1/declarations", laptops(bill_of_lading="FOLLOW-1"),
               token=T["trader"], headers={"Idempotency-Key": "followers-1"})
    eq(r.status, 201, "lodged")
    for f in fs:
        f.join(30)
    eq([f.status for f in fs], [200] * FOLLOWERS, "every follower answered")
    for f in fs:
        eq(f.events[0]["type"], "declaration.lodged", "first event")
        eq(f.events[0]["declaration_number"], r.json["number"], "its declaration")


def test_a_stop_answers_the_waiting_followers():
    fs = start_followers(end_of_feed())
    stopped = time.monotonic()
    S.stop()  # asserts exit status 0 and no sanitizer report
    for f in fs:
        f.join(30)
    eq([f.status for f in fs], [200] * FOLLOWERS, "every follower answered")
    check(all(f.events == [] for f in fs), "with no events")
    # answered by the stop, not by their 60 s running out
    check(all(f.answered_at - stopped < 30 for f in fs), "answered at the stop")


if __name__ == "__main__":
    run_tests([
        test_start,
        test_parked_followers_leave_the_workers_free,
        test_a_stop_answers_the_waiting_followers,
    ])
