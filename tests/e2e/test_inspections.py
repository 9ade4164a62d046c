#!/usr/bin/env python3
"""
test_inspections.py - the joint inspection and its 7x24 appointments on two
kouan servers sharing one database (on PostgreSQL the real thing: writers on
both servers at once; on SQLite two processes on one file).

What it checks:
  * US apples draw quarantine's red lane in the demo rule set, so kouan
    opens the inspection at lodging (through A); customs orders one through
    B and joins it: both servers show ONE inspection with both agencies; the
    declarant books through A and officers see the appointment through B;
  * many declarants' clients, half on each server, book the same slot of a
    site of capacity 3 at the same moment: exactly 3 get 201, every other
    one 409 "slot full" naming /slot_start, and the site's schedule (read on
    either server) shows 3 bookings in the slot, never more;
  * then the winners move to a second slot while the losers book it, again
    at once on both servers: the second slot holds exactly 3, the first
    keeps the winners that did not get in, and the totals add up.

Run: KOUAN_BIN=... python3 tests/e2e/test_inspections.py (add
KOUAN_TEST_STORE=postgres KOUAN_TEST_PG_STATE=FILE for PostgreSQL).
"""
import datetime
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kouan_e2e import Server, apples, check, check_problem, eq, run_tests  # noqa: E402

A = Server("insp-a")
B = Server("insp-b")
T = {}
CAPACITY = 3
RACERS = 12
IDS = []



def us_apples(**over):
    """Apples from the US: the demo rule set sends them to a quarantine
    inspection (red lane)."""
    b = apples(trading_country="US", departure_country="US", **over)
    for item in b["items"]:
        item["origin_country"] = "US"
    return b

def slot(days, hour, minute=0):
    """An aligned slot start `days` days from today (UTC), as RFC 3339."""
    d = datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=days)
    return "%sT%02d:%02d:00Z" % (d.isoformat(), hour, minute)


def test_start():
    A.start()
    B.share(A).start()
    for user in ("trader", "customs", "quarantine", "analyst", "admin"):
        T[user] = A.login(user)
    for code, port in (("E2E-NSA", "CNNSA"), ("E2E-CAN", "CNCAN")):
        r = A.call("POST", "/v1/inspection-sites",
                   {"code": code, "name": "e2e site " + code, "port": port,
                    "slot_minutes": 30, "capacity": CAPACITY}, token=T["admin"])
        eq(r.status, 201, "create site %s: %r" % (code, r))
    r = B.call("GET", "/v1/inspection-sites", token=T["trader"])
    eq(sorted(s["code"] for s in r.json["sites"]), ["CNNSA-1", "E2E-CAN", "E2E-NSA"], "B lists A's sites and the demo site")


def test_one_inspection_across_servers():
    r = A.call("POST", "/v1/declarations", us_apples(bill_of_lading="INSP-1"), token=T["trader"],
               headers={"Idempotency-Key": "insp-1"})
    eq(r.status, 201, "lodge: %r" % r)
    n = r.json["number"]
    # the demo rule set sends US apples to quarantine's red lane: kouan
    # opened the inspection at lodging; customs orders one through B and
    # joins it
    r = B.call("GET", "/v1/declarations/%s/inspection" % n, token=T["quarantine"])
    eq(r.status, 200, "red lane opened the inspection: %r" % r)
    eq([a["agency"] for a in r.json["agencies"]], ["quarantine"], "quarantine takes part")
    eq(B.call("POST", "/v1/declarations/%s/tasks/customs/decision" % n,
              {"decision": "inspect", "reason": "x-ray"}, token=T["customs"]).status,
       200, "customs orders through B")
    ev = A.call("GET", "/v1/declarations/%s/events" % n, token=T["analyst"]).json["events"]
    opened = [e for e in ev if e["type"] == "inspection.opened"]
    eq(len(opened), 1, "opened once")
    eq(opened[0]["actor_role"], "system", "opened by kouan")
    eq(len([e for e in ev if e["type"] == "inspection.agency_joined"]), 1, "customs joined")
    va = A.call("GET", "/v1/declarations/%s/inspection" % n, token=T["trader"])
    vb = B.call("GET", "/v1/declarations/%s/inspection" % n, token=T["quarantine"])
    eq(va.status, 200, "inspection on A: %r" % va)
    eq(va.json["id"], vb.json["id"], "one inspection")
    eq(sorted(a["agency"] for a in vb.json["agencies"]), ["customs", "quarantine"], "agencies")
    iid = va.json["id"]
    r = A.call("POST", "/v1/inspections/%d/booking" % iid,
               {"site": "E2E-NSA", "slot_start": slot(1, 2)}, token=T["trader"])
    eq(r.status, 201, "book through A: %r" % r)
    r = B.call("GET", "/v1/inspections/%d" % iid, token=T["customs"])
    eq(r.json["status"], "booked", "B sees the booking")
    eq(r.json["appointment"]["site"], "E2E-NSA", "appointment site")
    # a site at another port than the goods is refused
    r = B.call("PUT", "/v1/inspections/%d/booking" % iid,
               {"site": "E2E-CAN", "slot_start": slot(1, 3)}, token=T["trader"])
    check_problem(r, 400, "invalid-request", ["/site"])


def test_prepare_racers():
    tokens = [A.login("trader") for _ in range(RACERS)]
    for i in range(RACERS):
        srv = A if i % 2 else B
        r = srv.call("POST", "/v1/declarations", us_apples(bill_of_lading="RACE-%d" % i),
                     token=tokens[i], headers={"Idempotency-Key": "race-%d" % i})
        eq(r.status, 201, "lodge racer %d: %r" % (i, r))
        n = r.json["number"]
        eq(srv.call("POST", "/v1/declarations/%s/tasks/customs/decision" % n,
                    {"decision": "inspect", "reason": "random check"},
                    token=T["customs"]).status, 200, "inspect %d" % i)
        r = srv.call("GET", "/v1/declarations/%s/inspection" % n, token=tokens[i])
        IDS.append((r.json["id"], tokens[i]))


def race(jobs):
    """Run (server, method, id, token, slot) jobs at once; their answers."""
    out = [None] * len(jobs)
    barrier = threading.Barrier(len(jobs))

    def run(k):
        srv, method, iid, token, start = jobs[k]
        barrier.wait()
        out[k] = srv.call(method, "/v1/inspections/%d/booking" % iid,
                          {"site": "E2E-NSA", "slot_start": start}, token=token, timeout=60)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def booked_in(start):
    """Bookings of E2E-NSA in the slot starting at `start`, as A and B see them."""
    day = start[:10]
    counts = []
    for srv in (A, B):
        r = srv.call("GET", "/v1/inspection-sites/E2E-NSA/schedule?date=" + day,
                     token=T["analyst"])
        eq(r.status, 200, "schedule: %r" % r)
        s = [x for x in r.json["slots"] if x["start"].startswith(start[:16])]
        eq(len(s), 1, "the slot is in the schedule")
        check(s[0]["booked"] <= CAPACITY, "slot overbooked: %r" % s[0])
        seats = sorted(b["seat"] for b in s[0]["bookings"])
        eq(len(seats), len(set(seats)), "no place held twice")
        counts.append(s[0]["booked"])
    eq(counts[0], counts[1], "both servers agree")
    return counts[0]


def test_concurrent_bookings_on_both_servers():
    first, second = slot(2, 5), slot(2, 5, 30)
    answers = race([(A if k % 2 else B, "POST", iid, tok, first)
                    for k, (iid, tok) in enumerate(IDS)])
    won = [k for k, r in enumerate(answers) if r.status == 201]
    for k, r in enumerate(answers):
        if r.status != 201:
            check_problem(r, 409, "conflict", ["/slot_start"])
            check("slot full" in r.json["errors"][0]["problem"], "409 says slot full: %r" % r)
    eq(len(won), CAPACITY, "exactly the capacity got a place: %r" % [r.status for r in answers])
    eq(booked_in(first), CAPACITY, "the first slot is full")

    # the winners move to the second slot while everyone else books it
    answers = race([(B if k % 2 else A, "PUT" if k in won else "POST", iid, tok, second)
                    for k, (iid, tok) in enumerate(IDS)])
    moved = sum(1 for k, r in enumerate(answers) if k in won and r.status == 200)
    booked = sum(1 for k, r in enumerate(answers) if k not in won and r.status == 201)
    for k, r in enumerate(answers):
        if r.status not in (200, 201):
            check_problem(r, 409, "conflict", ["/slot_start"])
    eq(moved + booked, CAPACITY, "exactly the capacity in the second slot")
    eq(booked_in(second), CAPACITY, "the second slot is full")
    eq(booked_in(first), CAPACITY - moved, "the first keeps those that did not move")


def test_stop():
    A.stop()
    B.stop()


if __name__ == "__main__":
    run_tests([
        test_start,
        test_one_inspection_across_servers,
        test_prepare_racers,
        test_concurrent_bookings_on_both_servers,
        test_stop,
    ])
