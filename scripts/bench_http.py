"""`make bench`, second part: the main pages' throughput through HTTP, at demo --scale 1 and 10.

scripts/benchmark.py times the pages inside one process; this measures them as served:

1. creates a scratch PostgreSQL database (BENCH_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/prb_bench), migrates it, collects the static files and
   loads the demo data (`seed_demo --scale 1 --password bench`; for scale 10 the same command
   with `--scale 10` tops the same database up);
2. starts gunicorn with 2 sync workers on 127.0.0.1:BENCH_PORT (default 8766) with the
   production settings (DEBUG off, a random SECRET_KEY) over plain HTTP (SECURE_SSL_REDIRECT=0,
   SESSION_COOKIE_SECURE=0), once per scale, after that scale's data are loaded;
3. logs the expert ekspert1@example.org and the animator animator01@example.org in without the
   sign-in form (it has rate limits): this process shares the server's DATABASE_URL and
   SECRET_KEY and takes a session cookie from `Client.force_login`; the animator's library is
   the first one visible to them;
4. checks that every page answers 200 over HTTP (and fails naming the page if not), then runs
   locust (scripts/bench_http_locustfile.py) once per scale: 2 users in a closed loop (one per
   worker), for each page five segments of BENCH_SECONDS (default 3) s: /healthz, the page,
   /healthz, the page, /healthz. A page's ratio is its requests/s divided by the mean
   requests/s of /healthz in the segments around it, so it holds on a noisy machine (the load
   tool shares the 2 cores with the workers, which caps /healthz most). Also the page's p50
   and p99 latency and its HTML size;
5. counts each page's SQL queries here, in process, with CaptureQueriesContext around a
   `Client().get` of the same user against the same database: after one warm-up request, with
   this process's in-memory caches emptied (the page is rendered), and once more right after
   (shown as "rendered / again" when the two differ);
6. prints a Markdown table per scale and then scale 10 against scale 1: each page's ratio at
   10 divided by its ratio at 1 and whether its query count stayed the same, and the ratio of
   /libraries/ to the admin's partnership list;
7. stops gunicorn and drops the database, also after an error or Ctrl-C.

Options: --scales 1,10 (default), --pages dashboard,libraries,… (short names, see PAGES) for a
subset, --keep to keep the database and reuse it: migrations are applied, the demo data are
loaded only when the database does not hold exactly those of the scale (a database holding a
larger scale is made again). Progress goes to stderr, the tables to stdout. Not a test: nothing
here passes or fails on time. Only 127.0.0.1 is ever contacted.
"""

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/prb_bench"
)
PORT = int(os.environ.get("BENCH_PORT", "8766"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
PASSWORD = "bench"
WORKERS = 2  # and as many simulated users: a closed loop that keeps every worker busy
LEAD = 1.0  # seconds between locust's start and the first segment (both users spawned)
LIBRARIES_PER_SCALE = 128  # partnerships.demo.LIBRARIES

USERS = {"expert": "ekspert1@example.org", "animator": "animator01@example.org"}
HEALTHZ = "/healthz"
# Short name: (path, who asks); <id> is the first library visible to the animator.
PAGES = {
    "dashboard": ("/dashboard/", "expert"),
    "libraries": ("/libraries/", "expert"),
    "assignments": ("/assignments/", "expert"),
    "library": ("/libraries/<id>/", "animator"),
    "mine": ("/libraries/mine/", "animator"),
    "new-meeting": ("/libraries/<id>/meetings/new/", "animator"),
    "admin-partnerships": ("/admin/partnerships/partnership/", "expert"),
    "admin-meetings": ("/admin/partnerships/meeting/", "expert"),
}


class BenchError(Exception):
    pass


def progress(message):
    print(message, file=sys.stderr, flush=True)


def admin_url(url):
    """The same server, database `postgres`: to create and drop the scratch database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def server_env(workdir):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prb_partnerships.settings",
        "DATABASE_URL": DATABASE_URL,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-" + secrets.token_hex(32),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on 127.0.0.1; production keeps it on
        "SESSION_COOKIE_SECURE": "0",  # CSRF_COOKIE_SECURE follows it
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        "LOG_LEVEL": "WARNING",
    }


class Database:
    def __init__(self, url, env):
        self.server_url, self.name = admin_url(url)
        self.env = env

    def create(self, fresh):
        with psycopg.connect(self.server_url, autocommit=True) as connection:
            if fresh:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [self.name]
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{self.name}"')
        self.manage("migrate", "--no-input", "--verbosity", "0")

    def drop(self):
        close_django_connections()
        with psycopg.connect(self.server_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def manage(self, *args):
        subprocess.run(
            [str(BIN / "python"), "manage.py", *args],
            cwd=ROOT, env=self.env, check=True, stdout=sys.stderr,
        )

    def load_demo(self, scale, keep):
        """The demo data of `scale`, loaded unless --keep finds them there already."""
        from libraries.models import Library

        libraries = Library.objects.count()
        wanted = LIBRARIES_PER_SCALE * scale
        if keep and libraries == wanted:
            progress(f"Database {self.name} already holds the demo data of scale {scale}.")
            return
        if libraries > wanted:
            progress(f"Database {self.name} holds a larger scale: made again.")
            close_django_connections()
            self.create(fresh=True)
        progress(f"Demo data, scale {scale} …")
        started = time.monotonic()
        self.manage("seed_demo", "--scale", str(scale), "--password", PASSWORD)
        progress(f"  loaded in {time.monotonic() - started:.0f} s")


def close_django_connections():
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


class Gunicorn:
    def __init__(self, env):
        self.env = env
        self.process = None

    def start(self):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", PORT)) == 0:
                raise BenchError(f"127.0.0.1:{PORT} is already in use (set BENCH_PORT).")
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "prb_partnerships.wsgi:application",
             "--bind", f"127.0.0.1:{PORT}", "--workers", str(WORKERS),
             "--worker-class", "sync", "--timeout", "60", "--log-level", "warning"],
            cwd=ROOT, env=self.env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.process.returncode}")
            try:
                if fetch(HEALTHZ, None)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise BenchError("gunicorn did not answer /healthz within 60 s")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


def fetch(path, session):
    """(status, body) of one GET of `path` on our gunicorn, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    try:
        connection.request("GET", path, headers={"Cookie": f"sessionid={session}"} if session
                           else {})
        response = connection.getresponse()
        return response.status, response.read(), response.getheader("Location")
    finally:
        connection.close()


def setup_django(env):
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def visitors():
    """Per role: (a logged-in test Client, its sessionid), and the animator's library id."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from libraries.models import Library

    users = get_user_model().objects
    logged_in = {"anonymous": (Client(HTTP_HOST="127.0.0.1"), None)}
    for role, email in USERS.items():
        client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
        client.force_login(users.get(email=email))
        logged_in[role] = (client, client.cookies[settings.SESSION_COOKIE_NAME].value)
    animator = users.get(email=USERS["animator"])
    library = Library.objects.visible_to(animator).order_by("pk").first()
    if library is None:
        raise BenchError(f"{USERS['animator']} sees no library")
    return logged_in, library.pk


def count_queries(client, path):
    """Queries of a request that renders the page (after a warm-up request, with every
    in-memory cache of this process emptied) and of the same request right after it, which
    may be served from those caches as most requests under load are."""
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm-up: first-use lookups (content types, templates) are not counted
    for alias, options in settings.CACHES.items():
        if options["BACKEND"].endswith("LocMemCache"):
            caches[alias].clear()
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise BenchError(f"{path} answered {response.status_code} in process (expected 200)")
        counts.append(len(queries.captured_queries))
    return tuple(counts)


def plan_segments(pages):
    """H P H P H per page, back to back: [(page index or None for /healthz, start, end)]."""
    segments, start = [], 0.0
    for index in range(len(pages)):
        for kind in (None, index, None, index, None):
            segments.append((kind, start, start + SECONDS))
            start += SECONDS
    return segments


def run_locust(targets, workdir, scale):
    """targets: [(url, session)], the first being /healthz. Returns per page index (None for
    /healthz) the segments' records."""
    segments = plan_segments(targets[1:])
    plan_path, results = workdir / f"plan-{scale}.json", workdir / f"results-{scale}.json"
    plan = {"lead": LEAD, "results": str(results), "segments": []}
    for kind, start, end in segments:
        url, session = targets[0] if kind is None else targets[kind + 1]
        plan["segments"].append({"url": url, "session": session, "start": start, "end": end})
    plan_path.write_text(json.dumps(plan))
    seconds = segments[-1][2] + LEAD
    progress(f"locust: {len(targets) - 1} pages × 5 segments of {SECONDS:g} s = {seconds:.0f} s …")
    log = workdir / f"locust-{scale}.log"
    with log.open("w") as out:
        finished = subprocess.run(
            [str(BIN / "locust"), "-f", "scripts/bench_http_locustfile.py", "--headless",
             "--host", f"http://127.0.0.1:{PORT}", "-u", str(WORKERS), "-r", "10",
             "--run-time", f"{int(seconds) + 60}s", "--stop-timeout", "5", "--only-summary",
             "--loglevel", "WARNING"],
            cwd=ROOT, env={**os.environ, "BENCH_PLAN": str(plan_path)},
            stdout=out, stderr=subprocess.STDOUT, timeout=seconds + 120, check=False,
        )
    if not results.exists():
        raise BenchError(f"locust wrote no results (exit {finished.returncode}):\n"
                         + log.read_text()[-3000:])
    by_segment = defaultdict(list)
    for segment, user, started, ended, status in json.loads(results.read_text())["records"]:
        by_segment[segment].append((user, started, ended, status))
    return [(kind, by_segment[number]) for number, (kind, _start, _end) in enumerate(segments)]


def rate(records):
    """Requests/s of one segment: each user's requests, back to back, over the time from the
    start of its first to the end of its last; summed over the users."""
    per_user = defaultdict(list)
    for user, started, ended, _status in records:
        per_user[user].append((started, ended))
    total = 0.0
    for spans in per_user.values():
        elapsed = max(end for _s, end in spans) - min(start for start, _e in spans)
        total += len(spans) / elapsed if elapsed > 0 else 0.0
    return total


def percentile(values, share):
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def measure(scale, names, database, gunicorn, keep, workdir):
    database.load_demo(scale, keep)
    close_django_connections()
    gunicorn.start()  # after the data are loaded: no worker has seen the previous state
    try:
        logged_in, library_id = visitors()
        rows = [("healthz", HEALTHZ, "anonymous")] + [
            (name, PAGES[name][0].replace("<id>", str(library_id)), PAGES[name][1])
            for name in names
        ]
        sizes, query_counts, targets = {}, {}, []
        progress(f"Scale {scale}: pages over HTTP, queries in process …")
        for name, url, role in rows:
            client, session = logged_in[role]
            status, body, location = fetch(url, session)
            if status != 200:
                where = f" (to {location})" if location else ""
                raise BenchError(f"{url} as {USERS.get(role, role)} answered {status}{where} "
                                 "over HTTP, expected 200")
            for _ in range(2 * WORKERS):  # warm every worker up on the page
                fetch(url, session)
            sizes[name] = len(body) / 1000
            query_counts[name] = count_queries(client, url)
            targets.append((url, session))
        segments = run_locust(targets, workdir, scale)
    finally:
        gunicorn.stop()
    failures = defaultdict(int)
    healthz_latencies = []
    for kind, records in segments:
        for _user, _started, _ended, status in records:
            if status != 200:
                failures[(targets[0 if kind is None else kind + 1][0], status)] += 1
        if kind is None:
            healthz_latencies += [(ended - started) * 1000 for _u, started, ended, _s in records]
    if failures:
        raise BenchError("answers other than 200 under load: " + ", ".join(
            f"{url} {status or 'no answer'} ×{count}"
            for (url, status), count in failures.items()))
    results = {}
    healthz_rates = []
    for index, (name, _url, role) in enumerate(rows[1:]):
        mine = segments[index * 5:index * 5 + 5]
        baseline = statistics.mean(rate(records) for _kind, records in mine[0::2])
        page = statistics.mean(rate(records) for _kind, records in mine[1::2])
        latencies = [(ended - started) * 1000 for _kind, records in mine[1::2]
                     for _u, started, ended, _s in records]
        healthz_rates.append(baseline)
        results[name] = {
            "path": PAGES[name][0], "role": role, "ratio": page / baseline, "rps": page,
            "p50": statistics.median(latencies), "p99": percentile(latencies, 0.99),
            "queries": query_counts[name], "kB": sizes[name],
        }
    results["healthz"] = {
        "path": HEALTHZ, "role": "anonymous", "ratio": 1.0,
        "rps": statistics.mean(healthz_rates) if healthz_rates else float("nan"),
        "p50": statistics.median(healthz_latencies) if healthz_latencies else float("nan"),
        "p99": percentile(healthz_latencies, 0.99),
        "queries": query_counts["healthz"], "kB": sizes["healthz"],
    }
    return {"healthz": results.pop("healthz"), **results}


def label(name, result):
    return f"`{result['path']}`" + ("" if name == "healthz" else f" ({result['role']})")


def queries(result):
    rendered, again = result["queries"]
    return str(rendered) if rendered == again else f"{rendered} / {again}"


def print_scale(scale, results):
    healthz = results["healthz"]
    print(f"\n### Scale {scale}: /healthz {healthz['rps']:.0f} requests/s "
          f"({WORKERS} sync workers, {WORKERS} users in a closed loop, {SECONDS:g} s segments)\n")
    print("| page | ratio to /healthz | p50 ms | p99 ms | queries | kB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, result in results.items():
        print(f"| {label(name, result)} | {result['ratio']:.3f} | {result['p50']:.1f} | "
              f"{result['p99']:.1f} | {queries(result)} | {result['kB']:.1f} |")
    if any(len(set(result["queries"])) > 1 for result in results.values()):
        print("\nqueries a / b: a request that renders the page / the same request again, "
              "served in part from the process's memory caches as under load.")
    sys.stdout.flush()


def print_comparison(small_scale, small, large_scale, large):
    print(f"\n### Scale {large_scale} against scale {small_scale}\n")
    print(f"| page | ratio at {large_scale} ÷ ratio at {small_scale} | queries "
          f"{small_scale} → {large_scale} | same queries |")
    print("|---|---:|---:|---|")
    for name, result in large.items():
        if name == "healthz":
            continue
        before, after = queries(small[name]), queries(result)
        print(f"| {label(name, result)} | {result['ratio'] / small[name]['ratio']:.2f} | "
              f"{before} → {after} | {'yes' if before == after else 'no'} |")


def print_libraries_vs_admin(by_scale):
    scales = [s for s, r in by_scale.items() if "libraries" in r and "admin-partnerships" in r]
    if not scales:
        return
    print("\n### The list of libraries against the admin's list of partnerships\n")
    print("| scale | `/libraries/` ratio ÷ `/admin/partnerships/partnership/` ratio |")
    print("|---:|---:|")
    for scale in scales:
        results = by_scale[scale]
        share = results["libraries"]["ratio"] / results["admin-partnerships"]["ratio"]
        print(f"| {scale} | {share:.2f} |")


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10", help="demo scales, ascending (default 1,10)")
    parser.add_argument("--pages", default=",".join(PAGES),
                        help=f"a subset of: {', '.join(PAGES)} (/healthz is always measured)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the database and reuse its demo data when they fit the scale")
    options = parser.parse_args()
    try:
        options.scales = sorted({int(s) for s in options.scales.split(",") if s.strip()})
    except ValueError:
        parser.error("--scales: whole numbers separated by commas, e.g. 1,10")
    if not options.scales or options.scales[0] < 1:
        parser.error("--scales: at least one scale, each 1 or more")
    options.pages = [p.strip() for p in options.pages.split(",") if p.strip()]
    unknown = [p for p in options.pages if p not in PAGES]
    if unknown or not options.pages:
        parser.error(f"--pages: unknown {', '.join(unknown) or '(none given)'}; "
                     f"choose from {', '.join(PAGES)}")
    return options


def main():
    options = arguments()
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="prb-bench-http-"))
    env = server_env(workdir)
    database, gunicorn = Database(DATABASE_URL, env), Gunicorn(env)

    def stop(*_args):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    by_scale = {}
    try:
        progress(f"Scratch database {database.name}: migrate, static files …")
        database.create(fresh=not options.keep)
        database.manage("collectstatic", "--no-input", "--verbosity", "0")
        setup_django(env)
        for scale in options.scales:
            by_scale[scale] = measure(scale, options.pages, database, gunicorn, options.keep,
                                      workdir)
            print_scale(scale, by_scale[scale])
        for small, large in zip(options.scales, options.scales[1:], strict=False):
            print_comparison(small, by_scale[small], large, by_scale[large])
        print_libraries_vs_admin(by_scale)
        progress(f"\nbench_http: {time.monotonic() - started:.0f} s in all")
        return 0
    except BenchError as error:
        progress(f"bench_http FAILED: {error}")
        return 1
    except KeyboardInterrupt:
        progress("bench_http interrupted")
        return 130
    finally:
        gunicorn.stop()
        if options.keep:
            close_django_connections()
            progress(f"gunicorn stopped, database {database.name} kept")
        else:
            database.drop()
            progress(f"gunicorn stopped, database {database.name} dropped")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
