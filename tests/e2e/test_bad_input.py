#!/usr/bin/env python3
"""
test_bad_input.py - hostile and invalid input over real sockets against a
real kouan server.

What it checks:
  * a body over 1 MiB answers 413 (problem+json, type too-large): sent with
    Content-Length over a raw socket, and sent chunked (Transfer-Encoding:
    chunked, no Content-Length) with http.client;
  * a wrong or missing Content-Type answers 415;
  * malformed JSON, duplicate keys, a non-object body, unknown fields (top,
    item, conveyance, and a name needing ~0/~1 escapes), more than 50 items,
    no items, bad USCC / IMO / container check digits, a repeated container,
    unknown HS code, country, currency, port, office, unit, document type,
    zero/negative quantity, price or freight, money and quantities as JSON
    numbers, too many decimals, fields of the other direction, bad packages
    or advance, control characters: each answers 400 with a problem whose
    errors[] names exactly the expected JSON pointer(s) (and only those);
    several faults at once are all listed;
  * a missing Idempotency-Key answers 428 and a bad one 400, naming
    "header:Idempotency-Key"; bad decision bodies and bad query parameters
    name "/field" and "query:name"; the login body names its unknown field;
  * afterwards nothing left a trace: the analyst's declaration list and the
    demo declaration's events are unchanged, and the next valid declaration
    takes the next sequence number (none was used up);
  * garbage at the socket (random bytes, a request line that is not HTTP, a
    huge header, an absurd or negative Content-Length, deep JSON nesting, a
    half-sent body then close, a stalled connection, a long path, many
    headers) leaves the server answering GET /v1/healthz;
  * the server then stops cleanly (exit 0, no sanitizer report).

Run: KOUAN_BIN=/work/main/build-test/kouan python3 tests/e2e/test_bad_input.py
"""
import http.client
import json
import os
import random
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kouan_e2e import (DEMO_USCC, Server, apples, check, check_problem,  # noqa: E402
                       eq, events_of, run_tests)

S = Server("badinput")
T = {}
STATE = {}
DEMO_APPLES_OFFICE = "5167"
MIB = 1 << 20
KEYN = [0]


def key():
    KEYN[0] += 1
    return "bad-%d-%d" % (os.getpid(), KEYN[0])


def post_decl(body, headers=None, token=None):
    h = {"Idempotency-Key": key()}
    if headers is not None:
        h.update(headers)
    return S.call("POST", "/v1/declarations", body, token=token or T["trader"], headers=h)


def raw_exchange(data, timeout=10, chunk=65536, close_write=False):
    """Send bytes on a new socket (ignoring send errors: the server may
    answer and close early), then read until EOF or timeout."""
    t0 = time.monotonic()
    try:
        return _raw_exchange(data, timeout, chunk, close_write)
    finally:
        if os.environ.get("KOUAN_E2E_DEBUG"):
            sys.stderr.write("raw %r... %.2fs\n" % (data[:30], time.monotonic() - t0))


def _raw_exchange(data, timeout, chunk, close_write):
    # read while sending: a server may answer early (413) and close, and a
    # reset would then discard an answer not read yet
    s = socket.create_connection(("127.0.0.1", S.port), timeout=timeout)
    got = []

    def reader():
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                got.append(b)
        except OSError:
            pass

    th = threading.Thread(target=reader)
    th.start()
    try:
        try:
            for i in range(0, len(data), chunk):
                s.sendall(data[i:i + chunk])
            if close_write:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        th.join(timeout + 5)
    finally:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        th.join(5)
        s.close()
    return b"".join(got)


def parse_raw(resp):
    """(status, headers, json) of the first response in raw bytes."""
    if not resp.startswith(b"HTTP/1."):
        return None, {}, None
    head, _, body = resp.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    n = int(hdrs.get("content-length", len(body)))
    try:
        js = json.loads(body[:n])
    except ValueError:
        js = None
    return status, hdrs, js


def healthy_after(what):
    check(S.running(), "the server died after %s" % what)
    check(S.healthy(), "the server does not answer /v1/healthz after %s" % what)


# --------------------------------------------------------------------------

def test_start():
    S.start()
    for u in ("trader", "broker", "customs", "analyst"):
        T[u] = S.login(u)
    STATE["list"] = [d["number"] for d in S.all_declarations(T["analyst"])]
    demo = [n for n in STATE["list"] if n.startswith(DEMO_APPLES_OFFICE)]
    eq(len(demo), 1, "demo apples declaration")
    STATE["demo"] = demo[0]
    STATE["demo_events"] = events_of(S, demo[0], T["analyst"])
    STATE["demo_view"] = S.call("GET", "/v1/declarations/" + demo[0], token=T["analyst"]).text
    # the base body is valid (a dry check of the fixture is a real lodging,
    # so it is done at the end: see test_no_trace_left)


def big_body():
    pad = "x" * (MIB + 100)
    return json.dumps(apples("trader", remarks=pad)).encode()


def test_body_over_1mib_content_length_413():
    body = big_body()
    check(len(body) > MIB, "body is not over 1 MiB")
    head = ("POST /v1/declarations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Authorization: Bearer %s\r\nIdempotency-Key: %s\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            % (T["trader"], key(), len(body))).encode()
    resp = raw_exchange(head + body)
    status, hdrs, js = parse_raw(resp)
    healthy_after("an oversized body")
    check(resp, "no answer at all to a %d-byte body with Content-Length "
          "(connection closed without a response)" % len(body))
    eq(status, 413, "status for a %d-byte body" % len(body))
    check(hdrs.get("content-type", "").startswith("application/problem+json"),
          "413 content type %r" % hdrs.get("content-type"))
    eq(js.get("type"), "urn:kouan:problem:too-large", "problem type")


def test_body_over_1mib_chunked_413():
    # Transfer-Encoding: chunked, no Content-Length (raw socket, so the
    # answer is read while the body is still being sent)
    body = big_body()
    head = ("POST /v1/declarations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Authorization: Bearer %s\r\nIdempotency-Key: %s\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            % (T["trader"], key())).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 65536]), body[i:i + 65536])
                      for i in range(0, len(body), 65536))
    resp = raw_exchange(head + chunks + b"0\r\n\r\n")
    status, hdrs, js = parse_raw(resp)
    healthy_after("an oversized chunked body")
    check(resp, "no answer at all to a %d-byte chunked body (connection closed "
          "without a response)" % len(body))
    eq(status, 413, "status for an oversized chunked body")
    check(hdrs.get("content-type", "").startswith("application/problem+json"),
          "413 content type %r" % hdrs.get("content-type"))
    eq(js.get("type"), "urn:kouan:problem:too-large", "problem type")


def test_chunked_body_under_limit_is_read():
    # a small chunked body (http.client encodes it) is read and judged
    def pieces():
        text = json.dumps(apples("trader", currency="ABC")).encode()
        for i in range(0, len(text), 100):
            yield text[i:i + 100]

    c = http.client.HTTPConnection("127.0.0.1", S.port, timeout=20)
    try:
        c.request("POST", "/v1/declarations", body=pieces(), encode_chunked=True,
                  headers={"Authorization": "Bearer " + T["trader"],
                           "Idempotency-Key": key(), "Content-Type": "application/json",
                           "Transfer-Encoding": "chunked"})
        r = c.getresponse()
        js = json.loads(r.read())
        eq(r.status, 400, "status of a chunked invalid declaration")
        eq([e["field"] for e in js["errors"]], ["/currency"], "field of a chunked body")
    finally:
        c.close()


def test_body_just_under_limit_is_read():
    # a body under the limit is read in full and judged on its content
    pad = "x" * (MIB - 4096)
    r = post_decl(apples("trader", remarks=pad))
    check_problem(r, 400, "invalid-request", ["/remarks"])


def test_content_type_415():
    body = json.dumps(apples("trader")).encode()
    for ct in ("text/plain", "application/x-www-form-urlencoded", "application/jsonx",
               "application/json-patch+json", "application/json; charset=latin1",
               "application/json;charset=utf-16", None):
        h = {"Idempotency-Key": key()}
        if ct:
            h["Content-Type"] = ct
        r = S.call("POST", "/v1/declarations", body, token=T["trader"], headers=h)
        check_problem(r, 415, "unsupported-media-type")
    # JSON is UTF-8: named so, in any case, it is read (an empty object:
    # refused for its fields, so nothing is lodged)
    for ct in ("application/json; charset=utf-8", 'application/json;charset="UTF-8"'):
        r = S.call("POST", "/v1/declarations", b"{}", token=T["trader"],
                   headers={"Idempotency-Key": key(), "Content-Type": ct})
        check_problem(r, 400, "invalid-request", ["/direction"], exact=False)
    r = S.call("POST", "/v1/declarations", body, token=T["trader"],
               headers={"Idempotency-Key": key(),
                        "Content-Type": "application/json; charset=latin1"})
    eq(r.json["detail"], "JSON is sent as UTF-8: Content-Type: application/json, with no "
       "charset or charset=utf-8", "charset refused")
    # a decision and a correction check it too
    r = S.call("POST", "/v1/declarations/%s/tasks/customs/decision" % STATE["demo"],
               b'{"decision":"cleared"}', token=T["customs"],
               headers={"Content-Type": "text/plain"})
    check_problem(r, 415, "unsupported-media-type")


def mutate(fn, **base):
    b = apples("trader", **base)
    fn(b)
    return b


def item(**over):
    it = dict(apples()["items"][0])
    it.update(over)
    return it


def bad_uscc(good):
    """The same code with a wrong check character."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for ch in alphabet:
        if ch != good[-1]:
            return good[:-1] + ch
    raise AssertionError


# (name, body (dict or raw bytes), expected fields, text one problem contains)
CASES = [
    ("malformed JSON", b'{"direction": "import", ', [""], "malformed JSON"),
    ("trailing garbage", json.dumps(apples()).encode() + b" x", [""], "malformed JSON"),
    ("duplicate keys", b'{"direction":"import","direction":"export"}', [""],
     "malformed JSON at line 1, column 33: an object has the same member twice; send each "
     "member once"),
    ("array body", b'[1,2,3]', [""], "object"),
    ("empty body", b'', [""], None),
    ("invalid UTF-8", b'{"remarks":"\xff\xfe"}', [""],
     "the body is not UTF-8 text; send it encoded as UTF-8"),
    ("NUL in a string", b'{"remarks":"a\\u0000b"}', [""],
     "a string holds the character NUL (\\u0000), which is not accepted"),
    ("huge exponent", b'{"packages":1e999999}', [""],
     "a number is too large to read exactly; amounts and quantities are sent as strings"),
    ("unknown field", mutate(lambda b: b.update(colour="red")), ["/colour"], "unknown field"),
    ("unknown field needing escapes", mutate(lambda b: b.update({"a/b~c": 1})),
     ["/a~1b~0c"], "unknown field"),
    ("unknown item field", mutate(lambda b: b["items"][0].update(colour="red")),
     ["/items/0/colour"], "unknown field"),
    ("unknown conveyance field", mutate(lambda b: b["conveyance"].update(flag="PA")),
     ["/conveyance/flag"], "unknown field"),
    ("unknown document field", mutate(lambda b: b["documents"][1].update(issuer="USDA")),
     ["/documents/1/issuer"], "unknown field"),
    ("51 items", mutate(lambda b: b.update(items=[item() for _ in range(51)])),
     ["/items"], "at most 50"),
    ("no items", mutate(lambda b: b.update(items=[])), ["/items"], None),
    ("items not an array", mutate(lambda b: b.update(items={"0": item()})), ["/items"], None),
    ("bad declarant USCC check digit",
     mutate(lambda b: b.update(declarant_uscc=bad_uscc(DEMO_USCC["trader"]))),
     ["/declarant_uscc"], "check digit"),
    ("bad consignee USCC check digit",
     mutate(lambda b: b.update(consignee_uscc=bad_uscc(DEMO_USCC["trader"]))),
     ["/consignee_uscc"], "check digit"),
    ("USCC with a forbidden letter",
     mutate(lambda b: b.update(consignee_uscc="91440101MA59TRAD0I")),
     ["/consignee_uscc"], None),
    ("another organisation's USCC",
     mutate(lambda b: b.update(declarant_uscc=DEMO_USCC["broker"])),
     ["/declarant_uscc"], "your organisation"),
    ("bad IMO check digit", mutate(lambda b: b["conveyance"].update(imo="9321379")),
     ["/conveyance/imo"], "check digit"),
    ("IMO missing by sea", mutate(lambda b: b["conveyance"].pop("imo")),
     ["/conveyance/imo"], "required"),
    ("bad container check digit", mutate(lambda b: b.update(containers=["COSU8001237"])),
     ["/containers/0"], "check digit"),
    ("bad container category", mutate(lambda b: b.update(containers=["COSU8001236", "COSA8001236"])),
     ["/containers/1"], None),
    ("repeated container", mutate(lambda b: b.update(containers=["COSU8001236", "COSU8001236"])),
     ["/containers/1"], "repeats"),
    ("unknown HS code", mutate(lambda b: b["items"][0].update(hs_code="0808100099")),
     ["/items/0/hs_code"], "commodity"),
    ("HS code with letters", mutate(lambda b: b["items"][0].update(hs_code="08081000AB")),
     ["/items/0/hs_code"], None),
    ("HS code too short", mutate(lambda b: b["items"][0].update(hs_code="080810")),
     ["/items/0/hs_code"], None),
    ("unknown trading country", mutate(lambda b: b.update(trading_country="ZZ")),
     ["/trading_country"], "ZZ"),
    ("unknown origin country", mutate(lambda b: b["items"][0].update(origin_country="QQ")),
     ["/items/0/origin_country"], "QQ"),
    ("unknown departure country", mutate(lambda b: b.update(departure_country="XY")),
     ["/departure_country"], None),
    ("unknown currency", mutate(lambda b: b.update(currency="ABC")), ["/currency"], "ABC"),
    ("unknown port", mutate(lambda b: b.update(entry_port="CNXXX")), ["/entry_port"], "CNXXX"),
    ("unknown declaration office", mutate(lambda b: b.update(declaration_office="9999")),
     ["/declaration_office"], "9999"),
    ("unknown port office", mutate(lambda b: b.update(port_office="0000")),
     ["/port_office"], None),
    ("unknown unit", mutate(lambda b: b["items"][0].update(unit="999")),
     ["/items/0/unit"], None),
    ("unknown trade mode", mutate(lambda b: b.update(trade_mode="0000")), ["/trade_mode"], None),
    ("unknown transport mode", mutate(lambda b: b.update(transport_mode="Q")),
     ["/transport_mode"], None),
    ("unknown incoterm", mutate(lambda b: b.update(incoterm="XYZ")), ["/incoterm"], None),
    ("unknown document type", mutate(lambda b: b["documents"][0].update(type="love_letter")),
     ["/documents/0/type"], None),
    ("zero quantity", mutate(lambda b: b["items"][0].update(quantity="0")),
     ["/items/0/quantity"], "greater than zero"),
    ("negative quantity", mutate(lambda b: b["items"][0].update(quantity="-5")),
     ["/items/0/quantity"], None),
    ("zero price", mutate(lambda b: b["items"][0].update(unit_price="0.00")),
     ["/items/0/unit_price"], "greater than zero"),
    ("negative price", mutate(lambda b: b["items"][0].update(unit_price="-1.85")),
     ["/items/0/unit_price"], None),
    ("negative freight", mutate(lambda b: b.update(freight="-1.00")), ["/freight"], "negative"),
    ("price as a JSON number", mutate(lambda b: b["items"][0].update(unit_price=1.85)),
     ["/items/0/unit_price"], "decimal string"),
    ("quantity as a JSON number", mutate(lambda b: b["items"][0].update(quantity=18000)),
     ["/items/0/quantity"], "decimal string"),
    ("freight as a JSON number", mutate(lambda b: b.update(freight=0)), ["/freight"],
     "decimal string"),
    ("insurance as a JSON number", mutate(lambda b: b.update(insurance=12.5)), ["/insurance"],
     "decimal string"),
    ("weight as a JSON number", mutate(lambda b: b.update(gross_weight_kg=19850)),
     ["/gross_weight_kg"], "decimal string"),
    ("too many decimals in freight", mutate(lambda b: b.update(freight="1.001")), ["/freight"],
     "decimal place"),
    ("price in exponent form", mutate(lambda b: b["items"][0].update(unit_price="1e2")),
     ["/items/0/unit_price"], None),
    ("exit port on an import", mutate(lambda b: b.update(exit_port="CNNSA")), ["/exit_port"],
     None),
    ("direction sideways", mutate(lambda b: b.update(direction="sideways")), ["/direction"],
     None),
    ("packages zero", mutate(lambda b: b.update(packages=0)), ["/packages"], None),
    ("packages as a string", mutate(lambda b: b.update(packages="1800")), ["/packages"], None),
    ("advance not a boolean", mutate(lambda b: b.update(advance="yes")), ["/advance"], None),
    ("control character in a description",
     mutate(lambda b: b["items"][0].update(description="apples\u0007")),
     ["/items/0/description"], "control"),
    ("bill of lading with spaces", mutate(lambda b: b.update(bill_of_lading="COSU 1")),
     ["/bill_of_lading"], None),
    ("empty remarks", mutate(lambda b: b.update(remarks="")), ["/remarks"], None),
    ("remarks too long", mutate(lambda b: b.update(remarks="r" * 256)), ["/remarks"], None),
    ("several faults at once",
     mutate(lambda b: (b["conveyance"].update(imo="9321379"),
                       b.update(containers=["COSU8001237"], currency="ABC"),
                       b["items"][0].update(quantity="0", unit_price=1.85))),
     ["/conveyance/imo", "/containers/0", "/currency", "/items/0/quantity",
      "/items/0/unit_price"], None),
    ("a fault in the 3rd item",
     mutate(lambda b: b.update(items=[item(), item(), item(hs_code="0808100099")])),
     ["/items/2/hs_code"], None),
]


def test_declaration_validation_names_the_field():
    failures = []
    for name, body, fields, text in CASES:
        if isinstance(body, bytes):
            r = post_decl(body, headers={"Content-Type": "application/json"})
        else:
            r = post_decl(body)
        try:
            check_problem(r, 400, "invalid-request", fields)
            if text:
                probs = " | ".join(e["problem"] for e in r.json["errors"])
                check(text.lower() in probs.lower(),
                      "problem text %r lacks %r" % (probs[:300], text))
        except AssertionError as e:
            failures.append("%s: %s" % (name, e))
    check(not failures, "%d of %d cases wrong:\n  " % (len(failures), len(CASES))
          + "\n  ".join(failures))


def test_idempotency_key_header():
    body = apples("trader")
    r = S.call("POST", "/v1/declarations", body, token=T["trader"])
    check_problem(r, 428, "precondition-required", ["header:Idempotency-Key"])
    r = post_decl(body, headers={"Idempotency-Key": "k" * 129})
    check_problem(r, 400, "invalid-request", ["header:Idempotency-Key"])
    r = post_decl(body, headers={"Idempotency-Key": "two words"})
    check_problem(r, 400, "invalid-request", ["header:Idempotency-Key"])


def test_bad_decision_bodies():
    path = "/v1/declarations/%s/tasks/customs/decision" % STATE["demo"]
    cases = [
        ({"decision": "cleared", "colour": "red"}, ["/colour"]),
        ({"decision": "maybe"}, ["/decision"]),
        ({"decision": 1}, ["/decision"]),
        ({}, ["/decision"]),
        ({"decision": "reject"}, ["/reason"]),
        ({"decision": "return", "reason": ""}, ["/reason"]),
        ({"decision": "inspect", "reason": "r" * 501}, ["/reason"]),
        (b'{"decision":"cleared"', [""]),
    ]
    for body, fields in cases:
        if isinstance(body, bytes):
            r = S.call("POST", path, body, token=T["customs"],
                       headers={"Content-Type": "application/json"})
        else:
            r = S.call("POST", path, body, token=T["customs"])
        check_problem(r, 400, "invalid-request", fields)
    # a correction body is validated like a lodging
    r = S.call("PUT", "/v1/declarations/" + STATE["demo"],
               apples("trader", currency="ABC"), token=T["trader"])
    check_problem(r, 400, "invalid-request", ["/currency"])


def test_bad_query_parameters():
    cases = [
        ("/v1/declarations?limit=0", ["query:limit"]),
        ("/v1/declarations?limit=abc", ["query:limit"]),
        ("/v1/declarations?limit=501", ["query:limit"]),
        ("/v1/declarations?status=lost", ["query:status"]),
        ("/v1/events?after=abc", ["query:after"]),
        ("/v1/events?after=1&limit=100000", ["query:limit"]),
        ("/v1/events?wait=9999", ["query:wait"]),
        ("/v1/events?wait=-1", ["query:wait"]),
    ]
    for path, fields in cases:
        r = S.call("GET", path, token=T["analyst"])
        check_problem(r, 400, "invalid-request", fields)


def test_bad_login_bodies():
    r = S.call("POST", "/v1/sessions", {"username": "trader"})
    check_problem(r, 400, "invalid-request", ["/password"])
    r = S.call("POST", "/v1/sessions", {"username": 7, "password": "x"})
    check_problem(r, 400, "invalid-request", ["/username"])
    r = S.call("POST", "/v1/sessions",
               {"username": "trader", "password": "trader-demo-2026", "otp": "123456"})
    check_problem(r, 400, "invalid-request", ["/otp"])


def test_no_trace_left():
    healthy_after("the invalid requests")
    now = [d["number"] for d in S.all_declarations(T["analyst"])]
    eq(now, STATE["list"], "the analyst's declaration list changed")
    eq(events_of(S, STATE["demo"], T["analyst"]), STATE["demo_events"], "demo events changed")
    eq(S.call("GET", "/v1/declarations/" + STATE["demo"], token=T["analyst"]).text,
       STATE["demo_view"], "demo declaration changed")
    # the base body was valid all along, and no sequence number was used up
    r = post_decl(apples("trader"))
    eq(r.status, 201, "the valid base body: %r" % r)
    eq(r.json["number"][:4], DEMO_APPLES_OFFICE, "office")
    eq(int(r.json["number"][9:]), int(STATE["demo"][9:]) + 1, "next sequence number")
    STATE["list"].append(r.json["number"])


def test_socket_garbage():
    rnd = random.Random(20261123)
    # random bytes, then close
    for n in (1, 17, 4096, 65536):
        raw_exchange(bytes(rnd.getrandbits(8) for _ in range(n)), timeout=1, close_write=True)
        healthy_after("%d random bytes" % n)
    # something that is not an HTTP request line
    resp = raw_exchange(b"HELLO THERE\r\n\r\n", timeout=3)
    check(resp == b"" or resp.startswith(b"HTTP/1.1 4"), "answer to a bad request line: %r" % resp[:80])
    healthy_after("a bad request line")
    resp = raw_exchange(b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", timeout=3)
    healthy_after("HTTP/9.9")
    # a huge header
    resp = raw_exchange(b"GET /v1/healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 400000
                        + b"\r\n\r\n", timeout=5)
    check(resp == b"" or resp.startswith(b"HTTP/1.1 4"), "answer to a huge header: %r" % resp[:80])
    healthy_after("a huge header")
    # very many headers
    many = b"".join(b"X-H%d: v\r\n" % i for i in range(2000))
    resp = raw_exchange(b"GET /v1/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + many
                        + b"\r\n", timeout=5)
    check(resp == b"" or resp.startswith(b"HTTP/1.1 "), "answer to 2000 headers: %r" % resp[:80])
    healthy_after("2000 headers")
    # absurd Content-Lengths
    for cl in (b"99999999999999999999999999", b"18446744073709551615", b"-1", b"abc",
               b"1, 2"):
        resp = raw_exchange(b"POST /v1/declarations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                            + T["trader"].encode() + b"\r\nIdempotency-Key: " + key().encode()
                            + b"\r\nContent-Type: application/json\r\nContent-Length: " + cl
                            + b"\r\n\r\n{}", timeout=3)
        status, _, _ = parse_raw(resp)
        check(status is None or 400 <= status < 500,
              "Content-Length %r answered %r" % (cl, resp[:100]))
        healthy_after("Content-Length: %s" % cl.decode())
    # both Content-Length and chunked
    raw_exchange(b"POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Connection: close\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", timeout=3)
    healthy_after("Content-Length with chunked")
    # bad chunk sizes
    raw_exchange(b"POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\nab\r\n", timeout=3)
    healthy_after("a bad chunk size")
    # a half-sent body, then close
    for sent in (0, 100, 4000):
        s = socket.create_connection(("127.0.0.1", S.port), timeout=5)
        s.sendall(b"POST /v1/declarations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  + T["trader"].encode() + b"\r\nIdempotency-Key: " + key().encode()
                  + b"\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
                  + b"{" * sent)
        s.close()
        healthy_after("a half-sent body (%d of 5000 bytes)" % sent)
    # half-sent headers, then close
    s = socket.create_connection(("127.0.0.1", S.port), timeout=5)
    s.sendall(b"GET /v1/healthz HTTP/1.1\r\nHost: x\r\nX-Par")
    s.close()
    healthy_after("half-sent headers")
    # stalled connections do not block others
    stalled = []
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", S.port), timeout=5)
        s.sendall(b"POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 1000\r\n\r\n{\"username\":")
        stalled.append(s)
    t0 = time.monotonic()
    healthy_after("20 stalled uploads")
    check(time.monotonic() - t0 < 5, "health check slowed by stalled connections")
    for s in stalled:
        s.close()
    # deep nesting in a JSON body (under the size limit)
    deep = b'{"remarks":' + b"[" * 300000 + b"]" * 300000 + b"}"
    r = post_decl(deep, headers={"Content-Type": "application/json"})
    check_problem(r, 400, "invalid-request", [""])
    check(r.json["errors"][0]["problem"].endswith("the JSON is nested too deeply"),
          "deep nesting told: %r" % r.json["errors"][0]["problem"])
    healthy_after("deeply nested JSON")
    # long and deep paths
    r = S.call("GET", "/v1/declarations/" + "9" * 5000, token=T["analyst"])
    check_problem(r, 404, "not-found")
    r = S.call("GET", "/v1" + "/a" * 100, token=T["analyst"])
    check_problem(r, 404, "not-found")
    r = S.call("GET", "/v1/declarations/%00", token=T["analyst"])
    check_problem(r, 400, "invalid-request")
    r = S.call("GET", "/v1/declarations?" + "&".join("p%d=%d" % (i, i) for i in range(500)),
               token=T["analyst"])
    eq(r.status, 200, "500 query parameters")
    healthy_after("odd paths")
    # keep-alive: two requests on one connection, the first one invalid
    c = http.client.HTTPConnection("127.0.0.1", S.port, timeout=10)
    try:
        c.request("POST", "/v1/sessions", body=b"{", headers={"Content-Type": "application/json"})
        r1 = c.getresponse()
        r1.read()
        c.request("GET", "/v1/healthz")
        r2 = c.getresponse()
        eq((r1.status, r2.status), (400, 200), "keep-alive after a bad request")
        r2.read()
    finally:
        c.close()


def test_still_no_trace():
    now = [d["number"] for d in S.all_declarations(T["analyst"])]
    eq(sorted(now), sorted(STATE["list"]), "garbage at the socket changed the declaration list")


def test_stops_cleanly():
    healthy_after("everything")
    S.stop()


if __name__ == "__main__":
    run_tests([
        test_start,
        test_body_over_1mib_content_length_413,
        test_body_over_1mib_chunked_413,
        test_chunked_body_under_limit_is_read,
        test_body_just_under_limit_is_read,
        test_content_type_415,
        test_declaration_validation_names_the_field,
        test_idempotency_key_header,
        test_bad_decision_bodies,
        test_bad_query_parameters,
        test_bad_login_bodies,
        test_no_trace_left,
        test_socket_garbage,
        test_still_no_trace,
        test_stops_cleanly,
    ])
