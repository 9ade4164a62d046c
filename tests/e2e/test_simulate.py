#!/usr/bin/env python3
"""
test_simulate.py - `kouan simulate`: a port on a virtual clock (vessels,
manifests, imports and exports, officers, inspections, payment, the gate)
through the real kouan, in a throw-away database.

What it checks, on small scenarios (two days, a few dozen declarations):
  * the same scenario and seed give the same figures, exactly, imports
    and exports, and every declaration is measured from arrival or gate-in;
  * with agencies working one after the other (parallel off) the import
    median is longer than with both at once, everything else the same, and
    the report says by how much; office hours make it longer still;
  * automatic release off makes it longer; more inspection capacity does
    not; a higher share of advance declarations makes the import median
    (from arrival) shorter;
  * Hong Kong lorries into Huanggang are each declared, released and let
    out of the gate;
  * every bad scenario setting is refused (exit 2) naming it, an unknown
    one too; no temporary database is left behind.

(It needs no server and no PostgreSQL: a simulation always runs on its own
SQLite file.)

Run: KOUAN_BIN=... python3 tests/e2e/test_simulate.py
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kouan_e2e import KOUAN_BIN, check, eq, run_tests, sanitizer_report  # noqa: E402

DIR = tempfile.mkdtemp(prefix="kouan-e2e-simulate-")
BASE = {"seed": 11, "days": 2, "vessels_per_day": 3, "imports_per_day": 24,
        "exports_per_day": 16, "berth_hours": 6,
        "officers": {"customs": 2, "quarantine": 2, "maritime": 1},
        "review_minutes": {"customs": 30, "quarantine": 30, "maritime": 30},
        "inspection_percent": {"customs": 0, "quarantine": 0, "maritime": 0},
        "automatic_release": False}


def scenario(name, **over):
    s = dict(BASE)
    s.update(over)
    path = os.path.join(DIR, name + ".json")
    with open(path, "w") as f:
        json.dump(s, f)
    return path


def simulate(*args):
    env = dict(os.environ)
    env["TMPDIR"] = DIR
    r = subprocess.run([KOUAN_BIN, "simulate"] + list(args), env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600)
    r.stdout = r.stdout.decode("utf-8", "replace")
    r.stderr = r.stderr.decode("utf-8", "replace")
    check(sanitizer_report(r.stderr) is None, "sanitizer report: " + r.stderr)
    return r


def figures(*paths):
    r = simulate(*paths, "--json")
    eq(r.returncode, 0, "simulate exit: " + r.stderr)
    return json.loads(r.stdout)


def median(run, direction="import"):
    return run[direction]["total"]["median_s"]


def test_same_seed_same_figures():
    p = scenario("parallel", inspection_percent={"customs": 10, "quarantine": 20, "maritime": 0})
    one, two = figures(p), figures(p)
    eq(one, two, "two runs of one scenario")
    run = one[0]
    check(run["declarations"] > 50, "declarations lodged: %r" % run["declarations"])
    check(run["vessels"] >= 3, "vessels: %r" % run["vessels"])
    check(run["inspections"] > 0, "inspections: %r" % run["inspections"])
    eq(run["shut_out"], 0, "exports shut out")
    imports, exports = run["import"]["total"], run["export"]["total"]
    check(imports["count"] > 0 and exports["count"] > 0, "both directions measured")
    eq(imports["count"] + exports["count"], run["declarations"], "every one released and measured")
    stages = {s["stage"]: s for s in run["import"]["stages"]}
    eq(stages["gate_out"]["count"], imports["count"], "imports measured to the gate-out")
    for st in ("manifest", "lodgement", "inspection_booked", "inspected", "gate_out"):
        check(stages[st]["count"] > 0, "import stage %s measured: %r" % (st, stages[st]))
    stages = {s["stage"]: s for s in run["export"]["stages"]}
    for st in ("loading", "departure"):
        check(stages[st]["count"] > 0, "export stage %s measured: %r" % (st, stages[st]))
    check(not glob.glob(os.path.join(DIR, "kouan-simulate-*")), "temporary databases removed")


def test_serial_is_slower_and_the_report_says_by_how_much():
    p, s = scenario("parallel"), scenario("serial", parallel=False)
    runs = figures(p, s)
    par, ser = runs[0]["import"]["total"], runs[1]["import"]["total"]
    eq(runs[0]["declarations"], runs[1]["declarations"], "the same goods in both runs")
    check(ser["median_s"] > par["median_s"],
          "serial median %d s against parallel %d s" % (ser["median_s"], par["median_s"]))
    r = simulate(p, s)
    eq(r.returncode, 0, "report: " + r.stderr)
    line = [ln for ln in r.stdout.splitlines() if "total median" in ln][0]
    d = ser["median_s"] - par["median_s"]
    want = "+%dh%02dm (%+.1f%%)" % (d // 3600, d % 3600 // 60, 100.0 * d / par["median_s"])
    check(want in line, "%r in %r" % (want, line))
    check("serial, no automatic release, 7x24" in r.stdout, "run described: " + r.stdout)
    check("Exports released, gate-in to departure" in r.stdout, "exports reported: " + r.stdout)
    o = figures(scenario("office", parallel=False, office_hours=True))
    check(median(o[0]) > ser["median_s"], "office hours are slower: %d against %d"
          % (median(o[0]), ser["median_s"]))


def test_automatic_release_is_faster():
    on, off = figures(scenario("automatic", automatic_release=True), scenario("parallel"))
    check(median(on) < median(off),
          "automatic release %d s against %d s" % (median(on), median(off)))


def test_more_inspection_capacity_is_not_slower():
    red = {"customs": 30, "quarantine": 30, "maritime": 0}
    few, many = figures(scenario("few", inspection_percent=red, slot_minutes=120,
                                 inspection_capacity=1),
                        scenario("many", inspection_percent=red, slot_minutes=120,
                                 inspection_capacity=8))
    check(few["inspections"] > 5, "inspections: %r" % few["inspections"])
    eq(few["inspections"], many["inspections"], "the same inspections")
    check(median(many) <= median(few),
          "capacity 8: %d s, capacity 1: %d s" % (median(many), median(few)))
    p90 = lambda run: run["import"]["total"]["p90_s"]
    check(p90(many) < p90(few), "the slowest wait less for a slot: p90 %d against %d"
          % (p90(many), p90(few)))


def test_advance_declarations_shorten_the_import_median():
    none, most = figures(scenario("none", advance_share=0, automatic_release=True),
                         scenario("most", advance_share=0.9, automatic_release=True))
    check(median(most) < median(none),
          "advance 0.9: %d s, none: %d s" % (median(most), median(none)))


def test_lorries_across_the_border():
    run = figures(scenario("lorries", imports_per_day=0, exports_per_day=0, trucks_per_day=12))[0]
    check(run["lorries"] > 10, "lorries: %r" % run["lorries"])
    eq(run["declarations"], run["lorries"], "one import a lorry")
    stages = {s["stage"]: s for s in run["import"]["stages"]}
    eq(stages["gate_out"]["count"], run["lorries"], "each measured from arrival to gate-out")
    eq(run["export"]["total"]["count"], 0, "no exports")
    eq(run["import_by_mode"]["road"]["count"], run["lorries"], "the imports by road")
    eq(run["import_by_mode"]["sea"]["count"], 0, "none by sea")


def test_bad_scenarios():
    cases = [
        ({"days": 0}, "/days must be a whole number from 1 to 62"),
        ({"vessels_per_day": 0}, "/vessels_per_day must be a number above 0 and at most 200"),
        ({"advance_share": 1.5}, "/advance_share must be a number from 0 to 1"),
        ({"credit_mix": {"advanced": 0.2, "standard": 0.6, "discredited": 0.1}},
         "/credit_mix must add up to 1 (its shares add up to 0.9)"),
        ({"credit_mix": {"aeo": 1}}, "/credit_mix/aeo is not a scenario setting"),
        ({"officers": {"customs": 0}}, "/officers/customs must be a whole number from 1 to 64"),
        ({"officers": {"navy": 2}}, "/officers/navy is not a scenario setting"),
        ({"review_minutes": "fast"},
         "/review_minutes must be an object by agency: customs, quarantine, maritime, border"),
        ({"inspection_percent": {"quarantine": 101}},
         "/inspection_percent/quarantine must be a number from 0 to 100 with at most two decimals"),
        ({"inspection_percent": {"customs": 2.345}},
         "/inspection_percent/customs must be a number from 0 to 100 with at most two decimals"),
        ({"inspection_capacity": 0}, "/inspection_capacity must be a whole number from 1 to 100"),
        ({"inspection_sites": 2.5}, "/inspection_sites must be a whole number from 1 to 8"),
        ({"slot_minutes": 7}, "/slot_minutes must divide a day (1440 minutes)"),
        ({"payment_hours": 0}, "/payment_hours must be a number above 0 and at most 720"),
        ({"parallel": "yes"}, "/parallel must be true or false"),
        ({"start": "monday"}, "/start must be an RFC 3339 time"),
        ({"seed": -1}, "/seed must be a whole number from 0"),
        ({"imports_per_day": 0, "exports_per_day": 0}, "/imports_per_day and /exports_per_day"),
        ({"inspectors": 3}, "/inspectors is not a scenario setting"),
    ]
    for i, (over, want) in enumerate(cases):
        r = simulate(scenario("bad%d" % i, **over))
        eq(r.returncode, 2, "exit for %r" % over)
        check(want in r.stderr, "%r in %r" % (want, r.stderr))
    # every problem of a file at once
    r = simulate(scenario("worse", days=0, parallel="yes"))
    check("/days" in r.stderr and "/parallel" in r.stderr, "both named: " + r.stderr)
    r = simulate(os.path.join(DIR, "missing.json"))
    eq(r.returncode, 2, "a missing file")
    check(not glob.glob(os.path.join(DIR, "kouan-simulate-*")), "temporary databases removed")


def test_clean_up():
    shutil.rmtree(DIR)


if __name__ == "__main__":
    run_tests([test_same_seed_same_figures, test_serial_is_slower_and_the_report_says_by_how_much,
               test_automatic_release_is_faster, test_more_inspection_capacity_is_not_slower,
               test_advance_declarations_shorten_the_import_median,
               test_lorries_across_the_border, test_bad_scenarios,
               test_clean_up])
