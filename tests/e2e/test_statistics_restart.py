#!/usr/bin/env python3
"""
test_statistics_restart.py - the clearance-time statistics kept between
starts of a real server (the snapshot file, --statistics-file).

What it checks:
  * a server that stops saves its statistics (the log says how many
    declarations, as of which event); the next start loads them and
    follows the feed from that event: its figures are those it gave before
    stopping, and a declaration cleared after the start is counted;
  * a damaged file, a file of another database and a file of this database
    taken before declarations were lodged and then restored over are never
    loaded as they are: the damaged and the foreign one are refused (the
    log says why) and every declaration is measured again; each way, the
    figures are exactly those of a server that measured everything;
  * --statistics-file off keeps no file.

Run: KOUAN_BIN=... python3 tests/e2e/test_statistics_restart.py (add
KOUAN_TEST_STORE=postgres KOUAN_TEST_PG_STATE=FILE for PostgreSQL).
"""
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kouan_e2e import Server, check, eq, laptops, manifest_line, run_tests  # noqa: E402

S = Server("stats-restart")
OTHER = Server("stats-other")
T = {}
PATH = "/v1/statistics/clearance?outliers=0"
N = [0]


def figures():
    r = S.call("GET", PATH, token=T["analyst"])
    eq(r.status, 200, "statistics: %r" % r)
    return r.json


def imports(answer):
    return answer["import"]["declarations"] if "import" in answer else 0


def log_line(srv, needle, timeout=30):
    """The first line of the server's log holding needle (waits for it)."""
    deadline = time.monotonic() + timeout
    while True:
        for line in srv.read_stderr().splitlines():
            if needle in line:
                return line
        check(time.monotonic() < deadline, "no %r in the log:\n%s" % (needle, srv.read_stderr()))
        time.sleep(0.05)


def login():
    for user in ("trader", "customs", "analyst"):
        T[user] = S.login(user)


def clear_one():
    """Lodge a declaration and clear it: one more import released."""
    N[0] += 1
    body = laptops()
    manifest_line(S, body)
    r = S.call("POST", "/v1/declarations", body, token=T["trader"],
               headers={"Idempotency-Key": "stats-restart-%d" % N[0]})
    eq(r.status, 201, "lodge: %r" % r)
    r = S.call("POST", "/v1/declarations/%s/tasks/customs/decision" % r.json["number"],
               {"decision": "cleared", "reason": "invoice checked"}, token=T["customs"])
    eq(r.status, 200, "clear: %r" % r)


def test_saved_at_stop_and_loaded_at_start():
    S.start()
    login()
    before = figures()
    clear_one()
    after = figures()
    eq(imports(after), imports(before) + 1, "the cleared import is counted")
    err = S.stop()
    check("declarations saved to %s as of event" % S.statistics_file in err,
          "the stop saves the statistics:\n%s" % err[-2000:])
    check(os.path.getsize(S.statistics_file) > 100, "the file is written")
    S.start()
    line = log_line(S, "declarations loaded from %s as of event" % S.statistics_file)
    check("following the feed from there" in line, line)
    login()
    eq(figures(), after, "the loaded figures are those before the stop")
    clear_one()
    eq(imports(figures()), imports(after) + 1, "followed from the snapshot's event")
    S.stop()


def expect_refused(why):
    S.start()
    line = log_line(S, "statistics: the snapshot %s" % S.statistics_file)
    check(why in line and "filing every declaration again" in line, line)
    login()
    return figures()


def test_a_damaged_file_is_refused():
    S.start()
    login()
    want = figures()
    want_count = imports(want)
    S.stop()
    with open(S.statistics_file, "r+b") as f:
        f.seek(os.path.getsize(S.statistics_file) // 2)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0x20]))
    got = expect_refused("is damaged")
    eq(got, want, "measured again, the same figures")
    eq(imports(got), want_count, "every import")
    S.stop()


def test_a_file_of_another_database_is_refused():
    OTHER.start()
    OTHER.stop()
    check(os.path.exists(OTHER.statistics_file), "the other server kept its file")
    S.start()
    login()
    want = figures()
    S.stop()
    shutil.copyfile(OTHER.statistics_file, S.statistics_file)
    eq(expect_refused("was taken of another database"), want, "measured again")
    S.stop()


def test_an_older_file_is_followed_from_its_event():
    # a file taken before declarations were cleared is still of this feed:
    # loaded, then everything since is read from the feed
    S.start()
    S.stop()
    old = S.statistics_file + ".old"
    shutil.copyfile(S.statistics_file, old)
    S.start()
    login()
    clear_one()
    clear_one()
    want = figures()
    S.stop()
    shutil.copyfile(old, S.statistics_file)
    S.start()
    log_line(S, "declarations loaded from %s" % S.statistics_file)
    login()
    eq(figures(), want, "the older file and the feed since give today's figures")
    S.stop()


def test_off_keeps_no_file():
    os.unlink(S.statistics_file)
    S.extra_args = ["--statistics-file", "off"]
    S.start()
    login()
    clear_one()
    figures()
    err = S.stop()
    check("saved to" not in err, "nothing saved: %s" % err[-1000:])
    check(not os.path.exists(S.statistics_file), "no file")


if __name__ == "__main__":
    run_tests([test_saved_at_stop_and_loaded_at_start, test_a_damaged_file_is_refused,
               test_a_file_of_another_database_is_refused,
               test_an_older_file_is_followed_from_its_event, test_off_keeps_no_file])
