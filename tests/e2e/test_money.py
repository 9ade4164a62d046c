#!/usr/bin/env python3
"""
test_money.py - money end to end: real servers (two on one database for
the guarantee's ceiling), curl and the offline admin tool.

What it checks:
  * a declaration's assessment is shown with every step, to the fen (the
    declarations here are in yuan, so the figures do not move with the
    month's exchange rate: 18,000 kg of apples at 13.1392 CNY, CIF:
    value 236,505.60, duty 10 % 23,650.56, VAT 9 % of 260,156.16 =
    23,414.05, due 47,064.61);
  * a payment order of the wrong amount, naming no bank kouan knows, or
    giving the time of payment itself is refused, each with its reason, and
    changes nothing; the right order is kept as reported (202) and pays
    nothing until its bank (ICBC) says it debited the account: then the
    declaration is released, once, even when the bank's answer reaches both
    servers at the same moment; the same order, or the same answer, again
    is a replay; the bank's answer must be the order's amount and a time
    that has passed;
  * the demo trader's release draws its general guarantee, and its payment
    restores it once the bank has paid, not when the trader reports it;
  * a declarant that reports a payment it never made gets nothing for it:
    the goods stay held when the last agency clears (saying why), its
    guarantee is not given back; it may not answer for the bank (403),
    another bank cannot see or answer the payment (404, as for none), and
    after the named bank refused it only that bank's "paid" to a new order
    releases the goods;
  * two servers releasing at once against one guarantee never take it past
    its ceiling: of six releases worth 145,600.00 each against 450,000.00,
    exactly three go through; the others wait for payment, saying why;
  * the fee catalogue is public (no token); a fee outside it is refused;
  * a refund for an import, or for an export whose conveyance has not
    departed, is refused with the reason, and nothing is recorded;
  * `kouan admin tariff-load FILE` loads a version offline, both running
    servers compute with it (neither reads the tables' stamp at every use
    on PostgreSQL: they hear of the load), and a bad file is refused with
    the field at fault.

Run: KOUAN_BIN=... python3 tests/e2e/test_money.py (add
KOUAN_TEST_STORE=postgres KOUAN_TEST_PG_STATE=FILE for PostgreSQL).
"""
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kouan_e2e import (DEMO_USCC, KOUAN_BIN, Server, apples, check, check_problem,  # noqa: E402
                       eq, laptops, manifest_line, run_tests, sanitizer_report, utc_now)

A = Server("money-a")
B = Server("money-b")
T = {}
N = {}
CLEARED = {"decision": "cleared", "reason": "documents checked"}


def test_start():
    A.start()
    B.share(A).start()
    for user in ("trader", "trader2", "broker", "customs", "quarantine", "border",
                 "terminal", "admin", "analyst", "tax", "bank", "bank2"):
        T[user] = A.login(user)


def lodge(srv, body, who, key):
    manifest_line(srv, body)  # the carrier manifested the goods first
    r = srv.call("POST", "/v1/declarations", body, token=T[who],
                 headers={"Idempotency-Key": key})
    eq(r.status, 201, "lodge %s: %r" % (key, r))
    return r.json["number"]


def decide(srv, number, agency):
    r = srv.call("POST", "/v1/declarations/%s/tasks/%s/decision" % (number, agency), CLEARED,
                 token=T[agency])
    eq(r.status, 200, "%s decides %s: %r" % (agency, number, r))
    return r.json


def status(number):
    return A.call("GET", "/v1/declarations/" + number, token=T["analyst"]).json["status"]


def cny_apples(org, bill):
    body = apples(org, bill_of_lading=bill, currency="CNY")
    body["items"][0]["unit_price"] = "13.1392"
    return body


def events(number):
    return A.call("GET", "/v1/declarations/%s/events" % number,
                  token=T["analyst"]).json["events"]


def taxes(number):
    r = A.call("GET", "/v1/declarations/%s/assessment" % number, token=T["analyst"])
    eq(r.status, 200, "assessment of %s: %r" % (number, r))
    return r.json["taxes"]


def order(srv, number, who, reference, amount, bank="bank"):
    """The declarant reports the payment order it gave its bank."""
    return srv.call("POST", "/v1/declarations/%s/payments" % number,
                    {"bank": DEMO_USCC[bank], "bank_reference": reference, "amount": amount},
                    token=T[who])


def answer(srv, reference, body, who="bank"):
    return srv.call("POST", "/v1/payments/%s/answer" % reference, body, token=T[who])


def paid(amount):
    """A bank's answer: it debited the account just now."""
    return {"outcome": "paid", "amount": amount, "paid_at": utc_now()}


def detail(r):
    check(isinstance(r.json, dict), "no problem in %r" % r)
    return r.json.get("detail")


def test_assessment_shown():
    n = N["pay"] = lodge(A, cny_apples("trader2", "MONEY-E2E-1"), "trader2", "money-1")
    r = A.call("GET", "/v1/declarations/%s/assessment" % n, token=T["trader2"])
    eq(r.status, 200, "assessment: %r" % r)
    eq(r.json["status"], "assessed", "status")
    a = r.json["assessment"]
    eq(a["exchange_rate"]["cny_per_unit"], "1", "CNY needs no rate")
    item = a["items"][0]
    eq(item["customs_value_cny"], "236505.60", "customs value")
    eq(item["tariff"]["version"], "CN-2026", "tariff version")
    eq(item["duty"]["computation"], "236505.60 x 10% = 23650.56", "duty")
    eq(item["duty"]["reason"][:13], "MFN rate 10%:", "why the MFN rate")
    eq(item["vat"]["computation"], "260156.16 x 9% = 23414.05", "VAT")
    eq(a["total_due"], "47064.61", "total due")
    eq(r.json["taxes"]["outstanding"], "47064.61", "outstanding")
    # another trader, and an agency without a say on duties, cannot read it
    eq(A.call("GET", "/v1/declarations/%s/assessment" % n, token=T["trader"]).status, 404,
       "another trader")
    eq(A.call("GET", "/v1/declarations/%s/assessment" % n, token=T["quarantine"]).status, 403,
       "quarantine")
    eq(B.call("GET", "/v1/declarations/%s/assessment" % n, token=T["customs"]).status, 200,
       "customs on the other server")


def test_wrong_amount_refused_bank_confirmed_payment_releases():
    n = N["pay"]
    decide(A, n, "customs")
    decide(B, n, "quarantine")
    eq(status(n), "accepted", "waits for payment")
    held = [e for e in events(n) if e["type"] == "declaration.release_held"]
    eq(held[-1]["data"], {"waiting_for": "payment",
                          "reason": "awaiting payment of 47064.61 CNY: no general guarantee "
                                    "is on file"}, "release held")
    r = order(A, n, "trader2", "ICBC-E2E-0001", "47000.00")
    check_problem(r, 400, "invalid-request", ["/amount"])
    eq(r.json["errors"][0]["problem"],
       "must equal the amount due, 47064.61 CNY; 47000.00 CNY was offered (partial and "
       "excess payments are refused)", "the amount due is named")
    # the trader cannot say when it paid: that is the bank's to tell
    r = A.call("POST", "/v1/declarations/%s/payments" % n,
               {"bank": DEMO_USCC["bank"], "bank_reference": "ICBC-E2E-0001",
                "amount": "47064.61", "paid_at": utc_now()}, token=T["trader2"])
    check_problem(r, 400, "invalid-request", ["/paid_at"])
    eq(r.json["errors"][0]["problem"],
       "unknown field; accepted fields are: bank, bank_reference, amount (the time of "
       "payment is the bank's to give)", "paid_at refused")
    # nor name itself, or any company that is not a bank, as its bank
    r = order(B, n, "trader2", "ICBC-E2E-0001", "47064.61", bank="trader2")
    check_problem(r, 400, "invalid-request", ["/bank"])
    eq(r.json["errors"][0]["problem"],
       "is not a bank kouan knows: give the unified social credit code of the bank that "
       "holds the payer's account (GET /v1/banks lists them)", "not a bank")
    eq(status(n), "accepted", "nothing changed")
    eq(taxes(n)["payments"], [], "nothing recorded")
    # the order is kept, and pays nothing yet
    r = order(B, n, "trader2", "icbc-e2e-0001", "47064.61")
    eq(r.status, 202, "reported: %r" % r)
    check(r.header("idempotent-replayed") is None, "not a replay")
    p = r.json
    eq((p["bank_reference"], p["declaration_number"], p["amount"], p["status"], p["bank"]),
       ("ICBC-E2E-0001", n, "47064.61", "reported", DEMO_USCC["bank"]), "the order kept")
    eq((p["paid_at"], p["answered_by"], p["answered_at"], p["recorded_by"]),
       (None, None, None, "trader2"), "not paid, not answered")
    check("reason" not in p, "no reason before a refusal: %r" % p)
    eq(p["declaration_status"], "accepted", "not released by a report")
    eq(status(n), "accepted", "still waiting for the money")
    t = taxes(n)
    eq((t["paid"], t["outstanding"]), ("0.00", "47064.61"), "a report pays nothing")
    # the same order again (on the other server, in another case) is a replay
    r = order(A, n, "trader2", "ICBC-E2E-0001", "47064.61")
    eq(r.status, 200, "the same order again: %r" % r)
    eq(r.header("idempotent-replayed"), "true", "replayed")
    eq(r.json["status"], "reported", "still reported")
    # one order at a time: another waits for the bank's answer to this one
    r = order(A, n, "trader2", "ICBC-E2E-0002", "47064.61")
    check_problem(r, 409)
    eq(detail(r), "payment ICBC-E2E-0001 of 47064.61 CNY is reported and awaits its "
                  "bank's answer; another payment order waits until the bank has paid or "
                  "refused it, or for 24 hours", "why a second order waits")
    # the bank sees the order waiting for it, and answers it
    r = A.call("GET", "/v1/payments?status=reported", token=T["bank"])
    eq(r.status, 200, "the bank's list: %r" % r)
    eq([(q["bank_reference"], q["declaration_number"], q["amount"])
        for q in r.json["payments"]], [("ICBC-E2E-0001", n, "47064.61")], "waiting for ICBC")
    r = answer(A, "ICBC-E2E-0001", paid("47000.00"))
    check_problem(r, 400, "invalid-request", ["/amount"])
    eq(r.json["errors"][0]["problem"],
       "must be the amount of the payment order, 47064.61 CNY: a bank pays the order as "
       "given, or refuses it", "the bank pays the order as given")
    r = answer(B, "ICBC-E2E-0001", {"outcome": "paid", "amount": "47064.61",
                                    "paid_at": "2099-01-01T00:00:00Z"})
    check_problem(r, 400, "invalid-request", ["/paid_at"])
    check(r.json["errors"][0]["problem"].startswith("must not be in the future (it is now "),
          "a time to come: %r" % r.json)
    eq(status(n), "accepted", "refused answers change nothing")
    # the bank's "paid" reaches both servers at the same moment: one
    # answer pays, the other is its replay, and the goods go once
    body = paid("47064.61")
    results = {}

    def send(name, srv):
        results[name] = answer(srv, "ICBC-E2E-0001", body)

    threads = [threading.Thread(target=send, args=(name, srv)) for name, srv in
               (("A", A), ("B", B))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    eq(sorted(r.status for r in results.values()), [200, 200],
       "both answered: %r" % results)
    eq(sorted(str(r.header("idempotent-replayed")) for r in results.values()),
       ["None", "true"], "one paid, one replayed: %r" % results)
    for r in results.values():
        p = r.json
        eq((p["status"], p["answered_by"], p["declaration_status"]),
           ("paid", "bank", "released"), "paid and released: %r" % p)
        eq(p["paid_at"], body["paid_at"], "the bank's time")
        check(p["answered_at"], "answered at: %r" % p)
    eq(status(n), "released", "released")
    t = taxes(n)
    eq((t["paid"], t["outstanding"]), ("47064.61", "0.00"), "paid once the bank said so")
    # answered already: the same answer is a replay, another is refused
    r = answer(A, "ICBC-E2E-0001", body)
    eq((r.status, r.header("idempotent-replayed")), (200, "true"), "the same answer again")
    r = answer(B, "ICBC-E2E-0001", {"outcome": "refused", "reason": "changed our mind"})
    check_problem(r, 409)
    eq(detail(r), "the bank answered this payment already: paid", "answered already")
    # the trader's order again shows the payment as it stands now
    r = order(A, n, "trader2", "ICBC-E2E-0001", "47064.61")
    eq((r.status, r.header("idempotent-replayed"), r.json["status"]), (200, "true", "paid"),
       "the order again, once paid")
    r = order(A, n, "trader2", "ICBC-E2E-0002", "47064.61")
    check_problem(r, 409, None, ["/amount"])
    ev = events(n)
    types = [e["type"] for e in ev]
    eq(types.count("duties.payment_reported"), 1, "one order on the timeline")
    eq(types.count("duties.paid"), 1, "one payment on the timeline")
    eq(types.count("declaration.released"), 1, "released once")
    check(types.index("duties.payment_reported") < types.index("duties.paid")
          < types.index("declaration.released"), "reported, paid, released: %r" % types)
    rep_ev = [e for e in ev if e["type"] == "duties.payment_reported"][0]
    eq((rep_ev["actor"], rep_ev["actor_role"]), ("trader2", "declarant"), "who reported")
    eq(rep_ev["data"], {"bank_reference": "ICBC-E2E-0001", "bank": DEMO_USCC["bank"],
                        "amount": "47064.61", "version": 1}, "what was reported")
    paid_ev = [e for e in ev if e["type"] == "duties.paid"][0]
    eq((paid_ev["actor"], paid_ev["actor_role"]), ("bank", "bank"), "who paid")
    eq((paid_ev["data"]["bank_reference"], paid_ev["data"]["bank"], paid_ev["data"]["amount"]),
       ("ICBC-E2E-0001", DEMO_USCC["bank"], "47064.61"), "what was paid")


def test_guarantee_path():
    g = A.call("GET", "/v1/guarantees", token=T["trader"]).json["guarantees"]
    eq(len(g), 1, "the demo trader's guarantee")
    number, before = g[0]["number"], g[0]["drawn"]
    n = lodge(A, cny_apples("trader", "MONEY-E2E-2"), "trader", "money-2")
    decide(A, n, "customs")
    decide(B, n, "quarantine")
    eq(status(n), "released", "released against the guarantee")
    drawn = [e for e in events(n) if e["type"] == "guarantee.drawn"]
    eq(drawn[0]["data"]["guarantee"], number, "drawn on")
    eq(drawn[0]["data"]["amount"], "47064.61", "amount drawn")
    after = A.call("GET", "/v1/guarantees/" + number, token=T["trader"]).json
    eq(round(float(after["drawn"]) - float(before), 2), 47064.61, "drawn down")
    drawn_now = after["drawn"]
    r = order(A, n, "trader", "BOC-E2E-0001", "47064.61", bank="bank2")
    eq(r.status, 202, "ordered after release: %r" % r)
    eq((r.json["status"], r.json["guarantee_restored"]), ("reported", "0.00"),
       "nothing restored by a report")
    eq(A.call("GET", "/v1/guarantees/" + number, token=T["trader"]).json["drawn"], drawn_now,
       "still drawn")
    r = answer(B, "BOC-E2E-0001", paid("47064.61"), who="bank2")
    eq(r.status, 200, "the bank paid: %r" % r)
    eq((r.json["status"], r.json["guarantee_restored"], r.json["declaration_status"]),
       ("paid", "47064.61", "released"), "restored")
    eq(A.call("GET", "/v1/guarantees/" + number, token=T["trader"]).json["drawn"], before,
       "back to what it was")
    restored = [e for e in events(n) if e["type"] == "guarantee.restored"]
    eq(len(restored), 1, "restored once")


def guarantee_drawn(number):
    r = A.call("GET", "/v1/guarantees/" + number, token=T["trader"])
    eq(r.status, 200, "guarantee %s: %r" % (number, r))
    return r.json["drawn"]


def test_made_up_payment_pays_nothing():
    number = A.call("GET", "/v1/guarantees", token=T["trader"]).json["guarantees"][0]["number"]
    # trader2 has no guarantee: its goods wait for the money; the trader's
    # go at once against its guarantee, which the money gives back
    held = lodge(A, cny_apples("trader2", "MONEY-E2E-3"), "trader2", "money-3")
    decide(A, held, "customs")
    secured = lodge(B, cny_apples("trader", "MONEY-E2E-4"), "trader", "money-4")
    decide(A, secured, "customs")
    decide(B, secured, "quarantine")
    eq(status(secured), "released", "released against the guarantee")
    drawn = guarantee_drawn(number)
    # each declarant reports a payment it never made
    r = order(A, held, "trader2", "FAKE-E2E-0001", "47064.61")
    eq((r.status, r.json["status"]), (202, "reported"), "made-up payment kept: %r" % r)
    r = order(B, secured, "trader", "FAKE-E2E-0002", "47064.61")
    eq((r.status, r.json["status"], r.json["guarantee_restored"]), (202, "reported", "0.00"),
       "made-up payment kept: %r" % r)
    # the last agency clears: the goods still wait, and say for what
    eq(decide(B, held, "quarantine")["status"], "accepted", "not released")
    eq(status(held), "accepted", "still held")
    why = [e for e in events(held) if e["type"] == "declaration.release_held"]
    eq(why[-1]["data"], {"waiting_for": "payment",
                         "reason": "awaiting payment of 47064.61 CNY: payment FAKE-E2E-0001 "
                                   "is reported and awaits its bank's confirmation"},
       "why it waits")
    eq(guarantee_drawn(number), drawn, "the guarantee is not given back")
    t = taxes(secured)
    eq((t["paid"], t["outstanding"], t["guarantee"]["restored_at"]), ("0.00", "47064.61", None),
       "nothing paid, nothing restored")
    # a declarant cannot answer for its bank, nor can an officer
    for who, ref in (("trader2", "FAKE-E2E-0001"), ("trader", "FAKE-E2E-0002"),
                     ("customs", "FAKE-E2E-0001")):
        r = answer(A, ref, paid("47064.61"), who=who)
        check_problem(r, 403)
    eq(A.call("GET", "/v1/payments", token=T["trader2"]).status, 403, "not the bank's list")
    # another bank cannot tell the payment from one that does not exist
    for ref in ("FAKE-E2E-0001", "FAKE-E2E-0002", "NO-SUCH-0001"):
        r = answer(B, ref, paid("47064.61"), who="bank2")
        check_problem(r, 404, "not-found")
        eq(detail(r), "no payment reported to your bank has that reference", "another bank")
    r = B.call("GET", "/v1/payments", token=T["bank2"])
    eq(r.status, 200, "bank2's list: %r" % r)
    eq([q["bank_reference"] for q in r.json["payments"]], ["BOC-E2E-0001"],
       "bank2 sees its own payment only")
    eq(status(held), "accepted", "still held")
    eq([(q["bank_reference"], q["status"], q["answered_by"]) for q in taxes(held)["payments"]],
       [("FAKE-E2E-0001", "reported", None)], "unanswered")
    types = [e["type"] for e in events(secured)]
    check("guarantee.restored" not in types and "duties.paid" not in types,
          "nothing paid or restored: %r" % types)
    # the bank knows of no such transfer and refuses both; the goods wait
    no = {"outcome": "refused", "reason": "no such transfer from the payer's account"}
    for srv, ref, n in ((A, "FAKE-E2E-0001", held), (B, "FAKE-E2E-0002", secured)):
        r = answer(srv, ref, no)
        eq(r.status, 200, "refused: %r" % r)
        p = r.json
        eq((p["status"], p["reason"], p["paid_at"], p["answered_by"], p["guarantee_restored"]),
           ("refused", no["reason"], None, "bank", "0.00"), "refused: %r" % p)
        refused = [e for e in events(n) if e["type"] == "duties.payment_refused"]
        eq([(e["actor"], e["actor_role"], e["data"]) for e in refused],
           [("bank", "bank", {"bank_reference": ref, "bank": DEMO_USCC["bank"],
                              "reason": no["reason"]})], "the refusal on the timeline")
    eq(status(held), "accepted", "a refusal releases nothing")
    eq(guarantee_drawn(number), drawn, "a refusal restores nothing")
    # a refused order does not block another; only its bank's "paid" counts
    r = order(A, held, "trader2", "ICBC-E2E-0003", "47064.61")
    eq((r.status, r.json["status"]), (202, "reported"), "ordered again: %r" % r)
    r = answer(A, "ICBC-E2E-0003", paid("47064.61"), who="bank2")
    check_problem(r, 404, "not-found")
    eq(status(held), "accepted", "still held")
    r = answer(B, "ICBC-E2E-0003", paid("47064.61"))
    eq((r.status, r.json["status"], r.json["declaration_status"]), (200, "paid", "released"),
       "ICBC paid: %r" % r)
    eq(status(held), "released", "released")
    ev = events(held)
    eq([e["data"]["bank_reference"] for e in ev if e["type"] == "duties.paid"],
       ["ICBC-E2E-0003"], "the one payment made")
    eq([e["type"] for e in ev].count("declaration.released"), 1, "released once")


def test_two_servers_never_pass_the_ceiling():
    # the broker's guarantee takes three releases of 145,600.00, not four
    r = A.call("POST", "/v1/guarantees",
               {"organisation": DEMO_USCC["broker"], "number": "G-E2E-CEILING",
                "ceiling": "450000.00", "valid_from": "2026-01-01",
                "valid_until": "2099-12-31"}, token=T["customs"])
    eq(r.status, 201, "guarantee registered: %r" % r)
    numbers = []
    for i in range(6):
        body = laptops("broker", bill_of_lading="CEIL-%d" % i, currency="CNY",
                       incoterm="CIF", freight="0", insurance="0")
        body["items"][0]["unit_price"] = "2800.00"
        numbers.append(lodge(A if i % 2 else B, body, "broker", "ceil-%d" % i))
    due = A.call("GET", "/v1/declarations/%s/assessment" % numbers[0],
                 token=T["broker"]).json["taxes"]["due"]
    eq(due, "145600.00", "VAT 13 % of 1,120,000.00")
    results = {}

    def clear(srv, number):
        r = srv.call("POST", "/v1/declarations/%s/tasks/customs/decision" % number, CLEARED,
                     token=T["customs"])
        results[number] = (r.status, r.json and r.json.get("status"))

    threads = [threading.Thread(target=clear, args=(A if i % 2 else B, n))
               for i, n in enumerate(numbers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(sorted(s for s, _ in results.values()), [200] * 6, "every decision taken")
    released = [n for n in numbers if status(n) == "released"]
    eq(len(released), 3, "releases against the guarantee")
    g = A.call("GET", "/v1/guarantees/G-E2E-CEILING", token=T["broker"]).json
    eq(g["drawn"], "436800.00", "three draws")
    eq(g["available"], "13200.00", "left")
    for n in numbers:
        if n in released:
            continue
        held = [e for e in events(n) if e["type"] == "declaration.release_held"]
        eq(held[-1]["data"]["reason"],
           "awaiting payment of 145600.00 CNY: guarantee G-E2E-CEILING has 13200.00 CNY "
           "left of its 450000.00 CNY ceiling; 145600.00 CNY is needed", "why it waits")


def test_fee_catalogue_public_and_only_its_items():
    r = A.call("GET", "/v1/fees?port=CNNSA")
    eq(r.status, 200, "no token needed: %r" % r)
    eq(r.json["catalogues"][0]["id"], "CNNSA-2026", "Nansha's catalogue")
    r = A.call("GET", "/v1/fees/CNNSA-2026")
    eq(len(r.json["items"]), 12, "twelve items")
    n = N["pay"]
    r = A.call("POST", "/v1/declarations/%s/charges" % n, {"code": "DOC-FEE", "quantity": "1"},
               token=T["terminal"])
    check_problem(r, 400, "invalid-request", ["/code"])
    eq(r.json["errors"][0]["problem"],
       "'DOC-FEE' is not in the published fee catalogue CNNSA-2026 of CNNSA; only catalogue "
       "items may be charged", "the reason")
    r = B.call("POST", "/v1/declarations/%s/charges" % n, {"code": "THC-20", "quantity": "1"},
               token=T["terminal"])
    eq(r.status, 201, "a catalogue item: %r" % r)
    r = A.call("GET", "/v1/declarations/%s/charges" % n, token=T["trader2"])
    eq((len(r.json["charges"]), r.json["trader_total"]), (1, "850.00"),
       "the declarant sees its charges")


def test_refunds_refused_for_import_and_before_departure():
    imp = N["pay"]
    r = A.call("POST", "/v1/refunds",
               {"declaration_number": imp,
                "items": [{"hs_code": "0808100000", "quantity": "18000",
                           "fob_value_cny": "236505.60"}]}, token=T["trader2"])
    check_problem(r, 409, None, ["/declaration_number"])
    eq(r.json["errors"][0]["problem"], "is an import declaration: refunds are for exports",
       "an import")
    export = {
        "direction": "export", "declaration_office": "5301", "port_office": "5301",
        "declarant_uscc": DEMO_USCC["trader"], "consignee_uscc": DEMO_USCC["trader"],
        "trade_mode": "0110", "transport_mode": "4",
        "conveyance": {"name": "YUE Z H2286", "voyage": "20261122-02"},
        "bill_of_lading": "HG-MONEY-E2E-1", "trading_country": "HK",
        "destination_country": "HK", "exit_port": "CNHUG", "incoterm": "FOB",
        "currency": "CNY", "packages": 320, "gross_weight_kg": "2880.000",
        "items": [{"hs_code": "6109100000", "description": "Cotton knitted T-shirts",
                   "quantity": "9600", "unit": "011", "unit_price": "26.00",
                   "origin_country": "CN"}],
        "documents": [{"type": "invoice", "number": "HT-EX-2026-0413"}]}
    n = lodge(A, export, "trader", "money-export")
    decide(A, n, "customs")
    decide(B, n, "border")
    eq(status(n), "released", "an export pays nothing here")
    r = B.call("POST", "/v1/refunds",
               {"declaration_number": n,
                "items": [{"hs_code": "6109100000", "quantity": "9600",
                           "fob_value_cny": "249600.00"}]}, token=T["trader"])
    check_problem(r, 409, None, ["/declaration_number"])
    eq(r.json["errors"][0]["problem"], "has not left: its conveyance has not departed yet",
       "not departed")
    eq(A.call("GET", "/v1/refunds", token=T["tax"]).json["applications"], [],
       "nothing recorded")


def admin(*args):
    r = subprocess.run([KOUAN_BIN, "admin"] + list(args) + ["--db", A.db] + A.key_args,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    err = r.stderr.decode("utf-8", "replace")
    check(sanitizer_report(err) is None, "sanitizer report from kouan admin: " + err)
    return r.returncode, r.stdout.decode(), err


def test_admin_loads_a_tariff_file():
    path = os.path.join(A.dir, "amendment.json")
    with open(path, "w") as f:
        json.dump({"id": "CN-E2E-1", "effective_from": "2099-01-01", "kind": "amendment",
                   "lines": [{"code": "0808100000", "description": "Fresh apples",
                              "mfn": {"percent": "8"}, "vat_percent": "9",
                              "export_refund_percent": "9"}]}, f)
    line = "/v1/tariff/lines/0808100000?date=2099-01-02"
    for srv in (A, B):
        r = srv.call("GET", line, token=T["analyst"])
        eq(r.status, 200, "the line before the load: %r" % r)
        check(r.json["version"]["id"] != "CN-E2E-1", "not loaded yet: %r" % r.json)
    rc, out, err = admin("tariff-load", path)
    eq(rc, 0, "tariff-load: %s" % err)
    check(out.startswith("loaded CN-E2E-1: 1 added"), "printed %r" % out)
    versions = [v["id"] for v in A.call("GET", "/v1/tariff/versions",
                                        token=T["analyst"]).json["versions"]]
    check("CN-E2E-1" in versions, "the server sees it: %r" % versions)
    # both servers built their tables before the load; each computes with
    # the new version once it hears of it (PostgreSQL: the load's
    # announcement, milliseconds; SQLite: the stamp read at each use)
    for name, srv in (("A", A), ("B", B)):
        deadline = time.monotonic() + 10
        while True:
            r = srv.call("GET", line, token=T["analyst"])
            eq(r.status, 200, "the line after the load: %r" % r)
            if r.json["version"]["id"] == "CN-E2E-1":
                break
            check(time.monotonic() < deadline,
                  "%s still computes with %r 10 s after the load" % (name, r.json["version"]))
            time.sleep(0.02)
        eq(r.json["line"]["mfn"], {"percent": "8"}, "the amended line: %r" % r.json)
    rc, out, err = admin("tariff-load", path)
    eq(rc, 1, "loaded twice")
    check("/id is taken: tariff version CN-E2E-1 is loaded already" in err, err)
    with open(path, "w") as f:
        json.dump({"id": "CN-E2E-2", "effective_from": "2099-02-01", "kind": "amendment",
                   "lines": [{"code": "0808100000", "mfn": {"percent": "8"},
                              "vat_percent": "0.09", "export_refund_percent": "9"}]}, f)
    rc, out, err = admin("tariff-load", path)
    eq(rc, 1, "refused")
    check("/lines/0/vat_percent" in err, err)


def test_stop():
    B.stop()
    A.stop()


if __name__ == "__main__":
    run_tests([test_start, test_assessment_shown,
               test_wrong_amount_refused_bank_confirmed_payment_releases, test_guarantee_path,
               test_made_up_payment_pays_nothing, test_two_servers_never_pass_the_ceiling,
               test_fee_catalogue_public_and_only_its_items,
               test_refunds_refused_for_import_and_before_departure,
               test_admin_loads_a_tariff_file, test_stop])
