#!/usr/bin/env python3
"""
make_corpus.py - write the seed corpus of each fuzz target into
tests/fuzz/corpus/<target>/, drawn from the tests and the project's data:

  declaration  the declaration bodies of the end-to-end tests (kouan_e2e:
               apples, laptops, T-shirts, with variants) and the demo
               declarations compiled into src/server/demo.c
  codes        the string literals of tests/unit/test_codes.c,
               test_decimal.c and test_common.c (codes, decimals, times)
  risk_rules   the rule texts of tests/unit/test_risk.c, the demo rule set
               and the examples of docs/risk.md
  http         one request per route of src/api/router.c, as a caller who
               may use it, with a body from the tests or the examples of
               docs/openapi.json; and some the router refuses
  wire         the request heads of tests/unit/test_wire.c and
               tests/e2e/test_http_edge.py, chunked bodies and answer heads

Run it again after changing those tests; the output is deterministic (names
are a digest of the content, so nothing is written twice).

Usage: python3 tests/fuzz/make_corpus.py
"""
import glob
import hashlib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import kouan_e2e  # noqa: E402  (declaration bodies; starts nothing on import)

OUT = os.path.join(HERE, "corpus")
YEAR = "2026"  # the fuzz target's fixed clock is 2026-11-23
DEMO = {  # demo declaration numbers under that clock
    "apples": "5167" + YEAR + "1000000001",
    "road": "5301" + YEAR + "0000000001",
}

C_LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def c_unescape(s):
    """The bytes of a C string literal's body."""
    out = bytearray()
    i = 0
    raw = s.encode("utf-8")
    simple = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("\\"): 92, ord('"'): 34,
              ord("'"): 39, ord("0"): 0, ord("e"): 27, ord("a"): 7, ord("b"): 8,
              ord("f"): 12, ord("v"): 11}
    while i < len(raw):
        c = raw[i]
        if c != 92 or i + 1 >= len(raw):
            out.append(c)
            i += 1
            continue
        n = raw[i + 1]
        if n == ord("x"):
            m = re.match(rb"[0-9a-fA-F]{1,2}", raw[i + 2:])
            out.append(int(m.group(0), 16) if m else 0)
            i += 2 + (len(m.group(0)) if m else 0)
        elif n in simple:
            out.append(simple[n])
            i += 2
        else:
            out.append(n)
            i += 2
    return bytes(out)


def c_strings(path):
    """Each C string constant of a file: adjacent literals joined."""
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    out = []
    pos = 0
    while True:
        m = C_LITERAL.search(text, pos)
        if not m:
            return out
        parts = [m.group(1)]
        pos = m.end()
        while True:
            n = re.match(r'\s*"((?:[^"\\\n]|\\.)*)"', text[pos:])
            if not n:
                break
            parts.append(n.group(1))
            pos += n.end()
        out.append(c_unescape("".join(parts)))


def write(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def compact(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


# --- declaration -------------------------------------------------------------

def declarations():
    bodies = []
    for make in (kouan_e2e.apples, kouan_e2e.laptops, kouan_e2e.tshirts_export):
        for org in ("trader", "broker"):
            bodies.append(make(org))
    bodies.append(kouan_e2e.apples("trader", trading_country="US", departure_country="US"))
    bodies.append(kouan_e2e.laptops("trader", remarks="urgent", advance=True))
    bodies.append(kouan_e2e.apples("trader", items=[]))
    bodies.append(kouan_e2e.apples("trader", packages="1800", freight=0.5))
    # the demo declarations, as compiled into the server
    for s in c_strings(os.path.join(ROOT, "src", "server", "demo.c")):
        if s.startswith(b'{"direction"'):
            try:
                bodies.append(json.loads(s))
            except ValueError:
                pass
    return bodies


def make_declaration():
    for b in declarations():
        write("declaration", compact(b))
    write("declaration", json.dumps(kouan_e2e.apples("trader"), indent=2))


# --- codes ------------------------------------------------------------------

def make_codes():
    for f in ("test_codes.c", "test_decimal.c", "test_common.c"):
        for s in c_strings(os.path.join(ROOT, "tests", "unit", f)):
            if 0 < len(s) <= 48 and b"%" not in s:
                write("codes", s)


# --- risk rules ---------------------------------------------------------------

def make_risk_rules():
    texts = []
    for s in c_strings(os.path.join(ROOT, "tests", "unit", "test_risk.c")):
        if b"when " in s and b" then " in s:
            texts.append(s)
    for s in c_strings(os.path.join(ROOT, "src", "server", "demo.c")):
        if s.startswith(b'{"effective_from"'):
            texts.append(json.loads(s)["text"].encode())
    doc = open(os.path.join(ROOT, "docs", "risk.md"), encoding="utf-8").read()
    for block in re.findall(r"```\n(.*?)```", doc, flags=re.S):
        if "when " in block and " then " in block:
            texts.append(block.encode())
    for t in texts:
        write("risk_rules", t)


# --- http ---------------------------------------------------------------------

ROUTE = re.compile(r'\{"(GET|POST|PUT|DELETE)", "([^"]+)",\s*(\w+),\s*([^}]+)\}')

WHO = {  # a caller the route table lets in, by its roles expression
    "ROLES_PUBLIC": "", "ROLES_ANY": "trader", "READERS": "analyst", "OFFICERS": "customs",
    "ROLE_BIT(ADMIN)": "admin", "ROLE_BIT(DECLARANT)": "trader", "ROLES_AGENCY": "customs",
}


def who_for(roles, path):
    roles = " ".join(roles.split())
    if path.startswith("/v1/inspections/") and "AGENCY" in roles:
        return "quarantine"  # the demo inspection is quarantine's
    if path.startswith("/v1/risk/rules"):
        return "admin"       # the seed rules name several agencies
    if roles in WHO:
        return WHO[roles]
    if "AGENCY" in roles or "CUSTOMS" in roles:
        return "customs"
    return "admin"


def openapi_examples():
    doc = json.load(open(os.path.join(ROOT, "docs", "openapi.json")))
    out = {}
    for name, schema in doc["components"]["schemas"].items():
        if isinstance(schema, dict) and schema.get("examples"):
            out[name] = schema["examples"][0]
    return out


def body_for(method, path, ex):
    if method not in ("POST", "PUT"):
        return None
    if path == "/v1/sessions":
        return {"username": "trader", "password": "trader-demo-2026"}
    if path.endswith("/decision"):
        return ex.get("Decision", {"decision": "cleared"})
    if path.endswith("/withdrawal"):
        return {"reason": "order cancelled"}
    if path.startswith("/v1/declarations"):
        return kouan_e2e.apples("trader")
    if path.startswith("/v1/reference"):
        return ex.get("ReferenceEntryInput", {"name_en": "Changed"})
    if path == "/v1/organisations":
        return ex.get("OrganisationInput")
    if path == "/v1/users":
        return ex.get("UserInput")
    if path.endswith("/recognition"):
        return {"from_agency": "quarantine"}
    if "/findings/" in path:
        return ex.get("FindingInput", {"result": "no_problem"})
    if path.endswith("/booking"):
        return ex.get("BookingInput")
    if path == "/v1/inspection-sites":
        return ex.get("InspectionSiteInput")
    if path in ("/v1/risk/rules", "/v1/risk/rules/preview"):
        return {"text": 'when hs starts "0808" and origin = "US" then quarantine red 100% '
                        'reason "fire blight"\nwhen consignee credit = discredited then '
                        'customs red 80%\n',
                "effective_from": "2026-12-01T00:00:00Z", "note": "fuzz seed"}
    if path.startswith("/v1/risk/profiles/"):
        return {"random_percent": "2.4", "base_lane": "green"}
    if path == "/v1/risk/credit-scaling":
        return {"advanced_factor_percent": "10", "discredited_min_percent": "80"}
    if path.endswith("/credit"):
        return {"credit_class": "discredited", "reason": "customs audit 2026-17"}
    return {}


def fill(method, path):
    vals = {"number": DEMO["apples"], "list": "commodities", "code": "0808100000",
            "agency": "customs", "id": "1", "version": "1", "office": "5141",
            "uscc": kouan_e2e.DEMO_USCC["trader"]}
    if path.startswith("/v1/inspections/"):
        vals["agency"] = "quarantine"
    if path.startswith("/v1/inspection-sites/"):
        vals["code"] = "CNNSA-1"
    if method == "DELETE" and path.startswith("/v1/reference/"):
        vals.update({"list": "units", "code": "999"})
    return re.sub(r"\{(\w+)\}", lambda m: vals.get(m.group(1), "x"), path)


def http_seed(user, method, target, headers=(), body=None):
    text = user + "\n" + method + " " + target + "\n"
    for h in headers:
        text += h + "\n"
    if body is not None:
        if not isinstance(body, (str, bytes)):
            body = compact(body)
        text += "Content-Type: application/json\n"
        if method == "POST" and target == "/v1/declarations":
            text += "Idempotency-Key: fuzz-seed-1\n"
        text += "\n"
        data = text.encode() + (body if isinstance(body, bytes) else body.encode())
    else:
        data = (text + "\n").encode()
    write("http", data)


def make_http():
    ex = openapi_examples()
    router = open(os.path.join(ROOT, "src", "api", "router.c"), encoding="utf-8").read()
    for m in ROUTE.finditer(router):
        method, pattern, _, roles = m.groups()
        who = who_for(roles, pattern)
        http_seed(who, method, fill(method, pattern), body=body_for(method, pattern, ex))
        if method == "GET":
            http_seed(who, "HEAD", fill(method, pattern))
    # lists with their query parameters, and the long-poll (never waits here)
    http_seed("analyst", "GET", "/v1/declarations?limit=5&status=released&after=" + DEMO["apples"])
    http_seed("customs", "GET", "/v1/tasks?agency=customs&status=open&limit=10")
    http_seed("trader", "GET", "/v1/events?after=0&limit=3&wait=25")
    http_seed("analyst", "GET", "/v1/reference/commodities?q=apple&limit=3")
    # every declaration body of the tests, lodged and corrected
    for b in declarations():
        http_seed("trader", "POST", "/v1/declarations", body=b)
    http_seed("trader", "PUT", "/v1/declarations/" + DEMO["road"], body=kouan_e2e.tshirts_export())
    # what the router and the handlers refuse
    http_seed("", "GET", "/v1/me")
    http_seed("", "GET", "/v1/me", headers=["Authorization: Bearer kt_notatoken"])
    http_seed("trader", "PATCH", "/v1/declarations")
    http_seed("trader", "GET", "/v1/declarations/" + "9" * 40)
    http_seed("trader", "GET", "/v1" + "/a" * 12)
    http_seed("trader", "POST", "/v1/declarations", body="{\"direction\":")
    http_seed("trader", "POST", "/v1/declarations",
              headers=["Content-Type: text/plain"], body=b"x")
    http_seed("customs", "POST", "/v1/declarations/%s/tasks/customs/decision" % DEMO["apples"],
              body={"decision": "inspect"})
    http_seed("trader", "POST", "/v1/sessions", body={"username": "trader", "password": "x"})


# --- wire -----------------------------------------------------------------------

def make_wire():
    for s in c_strings(os.path.join(ROOT, "tests", "unit", "test_wire.c")):
        if re.match(rb"^(\r\n)*[A-Z(]+ ", s) or s.startswith(b"\n") or s.startswith(b"HTTP/") \
                or re.match(rb"^[0-9a-fA-F]+[;\r\n ]", s) or s.startswith(b"/"):
            write("wire", s)
    src = open(os.path.join(ROOT, "tests", "e2e", "test_http_edge.py"), encoding="utf-8").read()
    for m in re.finditer(r'b"((?:GET|POST|HEAD|PUT|HELLO)[^"]*)"', src):
        write("wire", m.group(1).encode().decode("unicode_escape").encode("latin-1"))
    write("wire", b"POST /v1/sessions HTTP/1.1\r\nHost: kouan\r\nTransfer-Encoding: chunked\r\n\r\n"
                  b"a\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n")
    write("wire", b"HTTP/1.1 200 OK\r\nDate: Mon, 23 Nov 2026 08:00:00 GMT\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")


def main():
    make_declaration()
    make_codes()
    make_risk_rules()
    make_http()
    make_wire()
    for d in sorted(glob.glob(os.path.join(OUT, "*"))):
        if os.path.isdir(d):
            print("%-12s %d seeds" % (os.path.basename(d), len(os.listdir(d))))


if __name__ == "__main__":
    main()
