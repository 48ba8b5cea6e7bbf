"""The soak's load and its checks (scripts/soak runs it; standard library only).

CONNECTIONS threads, each signed in as one of the soak's case managers, run mixed reads and
writes against the servers given (round robin) for SECONDS: they open up to CASES_EACH cases of
their own, record the decision to assess on them and correct it again and again, and read the
caseload, cases and timelines. Each
thread writes only to its own cases, so no write may meet a conflict. Meanwhile the servers'
resident memory is sampled every second.

Then, from the database itself: every acknowledged write is there (each soak case's version and
event count equal the writes acknowledged on it), no case's history has a gap (its events are
numbered 1 to n), the audit log holds exactly one entry per acknowledged write, no request got a
server error, and memory stayed flat (the peak of the last fifth of the run is within 25% and
16 MiB of the peak of the first fifth). Prints the figures and exits 1 if any check fails.

  soak.py SECONDS CONNECTIONS DATABASE_URL PASSWORD PID[,PID] BASE_URL [BASE_URL...]
"""

import datetime
import http.client
import json
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

RUN = time.strftime("%H%M%S")
# How many cases each connection opens, at most.
CASES_EACH = 25


def cookies(response):
    return [h.split(";", 1)[0] for k, h in response.getheaders() if k.lower() == "set-cookie"]


class Client:
    """One signed-in connection to one server."""

    def __init__(self, base, email, password):
        url = urllib.parse.urlsplit(base)
        self.origin = f"{url.scheme}://{url.netloc}"
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        # Sign-ins beyond the server's cap on password checks at once are asked to retry.
        for _ in range(30):
            if self.sign_in(email, password):
                break
            time.sleep(1)
        else:
            raise SystemExit(f"sign-in as {email} stayed busy")
        status, about, _ = self.call("GET", "/api/v1/session")
        self.csrf = about["csrf_token"]

    def sign_in(self, email, password):
        self.conn.request("GET", "/sign-in")
        page = self.conn.getresponse()
        body = page.read().decode()
        jar = cookies(page)
        token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
        form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
        self.conn.request("POST", "/sign-in", body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(jar), "Origin": self.origin})
        signed = self.conn.getresponse()
        signed.read()
        if signed.status == 503:
            return False
        session = [c for c in cookies(signed) if "tandem_session=" in c and not c.endswith("=")]
        if signed.status != 303 or not session:
            raise SystemExit(f"sign-in as {email} failed: {signed.status}")
        self.cookie = session[0]
        return True

    def call(self, method, path, body=None, headers=None):
        sent = {"Cookie": self.cookie, "Origin": self.origin}
        if body is not None:
            sent["Content-Type"] = "application/json"
            sent["X-CSRF-Token"] = self.csrf
            body = json.dumps(body)
        sent.update(headers or {})
        self.conn.request(method, path, body=body, headers=sent)
        response = self.conn.getresponse()
        raw = response.read()
        kind = response.getheader("Content-Type") or ""
        parsed = json.loads(raw) if "json" in kind and raw else None
        return response.status, parsed, response.getheader("ETag")


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.acknowledged = {}  # reference -> writes acknowledged
        self.versions = {}  # reference -> last version acknowledged
        self.statuses = {}
        self.latencies = {"read": [], "write": []}

    def note(self, kind, status, seconds):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.latencies[kind].append(seconds)

    def acknowledge(self, reference, version):
        with self.lock:
            self.acknowledged[reference] = self.acknowledged.get(reference, 0) + 1
            self.versions[reference] = version


def worker(number, base, email, password, until, tally):
    client = Client(base, email, password)
    rng = random.Random(number)
    mine = []  # [reference, version, decision event id or None]
    made = 0
    received = (datetime.date.today() - datetime.timedelta(days=30)).isoformat()
    decided = (datetime.date.today() - datetime.timedelta(days=20)).isoformat()

    def timed(kind, method, path, body=None, headers=None):
        started = time.monotonic()
        status, parsed, etag = client.call(method, path, body, headers)
        tally.note(kind, status, time.monotonic() - started)
        return status, parsed, etag

    while time.monotonic() < until:
        roll = rng.random()
        # Each connection keeps to a few cases of its own, so that the data a server holds
        # stays the same size and memory can be judged flat.
        if not mine or (roll < 0.1 and len(mine) < CASES_EACH):
            made += 1
            reference = f"SOAK-{RUN}-{number}-{made}"
            born = datetime.date(2010, 1, 1) + datetime.timedelta(days=made % 4000)
            body = {"reference": reference, "received": received,
                    "child": {"given_name": f"Soak{number}x{made}", "family_name": "Loadtest",
                              "date_of_birth": born.isoformat()}}
            status, parsed, _ = timed("write", "POST", "/api/v1/cases", body)
            if status == 201:
                tally.acknowledge(reference, parsed["version"])
                mine.append([reference, parsed["version"], None])
        elif roll < 0.25:
            case = rng.choice(mine)
            reference, version, decision = case
            path = f"/api/v1/cases/{reference}/events"
            event = {"type": "decision_to_assess", "date": decided, "outcome": "assess"}
            if decision is not None:
                path = f"{path}/{decision}/correction"
                event["reason"] = "Soak: the date was typed wrongly"
                event["date"] = rng.choice([decided, received])
            status, parsed, _ = timed("write", "POST", path, event,
                                      {"If-Match": f'"{version}"'})
            if status == 201:
                tally.acknowledge(reference, parsed["version"])
                case[1] = parsed["version"]
                status, shown, _ = timed("read", "GET", f"/api/v1/cases/{reference}")
                events = (shown or {}).get("events", [])
                current = [e["id"] for e in events if e.get("effective")
                           and e.get("event", {}).get("type") == "decision_to_assess"]
                case[2] = current[-1] if current else None
        else:
            reference = rng.choice(mine)[0]
            path = rng.choice([
                "/api/v1/cases?page=1",
                f"/api/v1/cases/{reference}",
                f"/api/v1/cases/{reference}/timeline",
                "/cases",
            ])
            timed("read", "GET", path)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def query(database, sql):
    """Rows of `sql` on the soak's database (sqlite3 module, or psql for PostgreSQL)."""
    if database.startswith("sqlite://"):
        path = database[len("sqlite://"):].split("?", 1)[0]
        with sqlite3.connect(path) as db:
            return [tuple(str(v) for v in row) for row in db.execute(sql)]
    out = subprocess.run(["psql", database, "-At", "-F", "\t", "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return [tuple(line.split("\t")) for line in out.splitlines() if line]


def main():
    seconds, connections, database, password, pids = sys.argv[1:6]
    bases = sys.argv[6:]
    seconds, connections = int(seconds), int(connections)
    pids = [int(p) for p in pids.split(",")]
    tally = Tally()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=worker, args=(
        n, bases[n % len(bases)], f"soak{n % 4}@soak.test", password, until, tally))
        for n in range(connections)]
    for thread in threads:
        thread.start()
    samples = []
    while any(t.is_alive() for t in threads):
        samples.append(sum(rss_kib(p) for p in pids))
        time.sleep(1)
    for thread in threads:
        thread.join()

    failures = []
    acknowledged = tally.acknowledged
    writes = sum(acknowledged.values())
    stored = dict((r, (int(v), int(n))) for r, v, n in query(database, (
        "SELECT c.reference, c.version, COUNT(e.id) FROM cases c JOIN events e ON e.case_id = c.id "
        f"WHERE c.reference LIKE 'SOAK-{RUN}-%' GROUP BY c.reference, c.version")))
    for reference, count in acknowledged.items():
        version, events = stored.get(reference, (0, 0))
        if version != tally.versions[reference] or events != count:
            failures.append(f"{reference}: acknowledged {count} writes to version "
                            f"{tally.versions[reference]}; stored version {version}, {events} events")
    gaps = query(database, (
        "SELECT c.reference FROM cases c JOIN events e ON e.case_id = c.id "
        f"WHERE c.reference LIKE 'SOAK-{RUN}-%' GROUP BY c.reference "
        "HAVING MIN(e.seq) <> 1 OR MAX(e.seq) <> COUNT(*) OR COUNT(DISTINCT e.seq) <> COUNT(*)"))
    failures.extend(f"{r}: its events are not numbered 1 to n" for (r,) in gaps)
    by_action = dict((a, int(n)) for a, n in query(database, (
        "SELECT action, COUNT(*) FROM audit_log WHERE action IN "
        "('case.open', 'case.record_event', 'case.correct_event') "
        f"AND case_reference LIKE 'SOAK-{RUN}-%' GROUP BY action")))
    audited = sum(by_action.values())
    if audited != writes:
        failures.append(f"{audited} audit entries for {writes} acknowledged writes")
    errors = sum(n for s, n in tally.statuses.items() if s >= 500)
    if errors:
        failures.append(f"{errors} server errors")
    fifth = max(1, len(samples) // 5)
    first, last = max(samples[:fifth]), max(samples[-fifth:])
    if last > first * 1.25 + 16 * 1024:
        failures.append(f"memory grew: {first // 1024} MiB at the start, {last // 1024} MiB at the end")

    def ms(values, q):
        return round(statistics.quantiles(values, n=100)[q - 1] * 1000, 1) if len(values) > 1 else 0

    figures = {
        "seconds": seconds, "connections": connections, "servers": len(bases),
        "requests": sum(tally.statuses.values()), "statuses": tally.statuses,
        "acknowledged_writes": writes, "cases_written": len(acknowledged),
        "audit_entries": by_action,
        "reads_p50_ms": ms(tally.latencies["read"], 50), "reads_p99_ms": ms(tally.latencies["read"], 99),
        "writes_p50_ms": ms(tally.latencies["write"], 50), "writes_p99_ms": ms(tally.latencies["write"], 99),
        "rss_start_mib": first // 1024, "rss_end_mib": last // 1024, "rss_peak_mib": max(samples) // 1024,
        "failures": failures,
    }
    print(json.dumps(figures, indent=2))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
