"""`make load`: the load test, from an empty database to the figures, then everything stopped.

1. creates a scratch PostgreSQL database (LOAD_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/prb_load), migrates it and loads the demo data with the
   password `load`;
2. starts gunicorn (3 workers) on 127.0.0.1:8765 with the production settings (DEBUG off), over
   plain HTTP locally: SECURE_SSL_REDIRECT=0 and SESSION_COOKIE_SECURE=0, and TRUSTED_PROXIES=1
   so that each simulated person has an address of their own, as behind the proxy;
3. runs locust headless for LOAD_SECONDS (default 60): 30 animators log meetings and edit
   partners, 2 experts reassign partnerships (scripts/load/locustfile.py);
4. prints meetings sent vs stored, duplicates, 5xx answers and partnerships with two active
   assignments, and exits non-zero if any of those is wrong;
5. stops gunicorn and drops the database, also after an error or Ctrl-C.

Only 127.0.0.1 is ever contacted.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/prb_load")
PORT = int(os.environ.get("LOAD_PORT", "8765"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
ANIMATORS, EXPERTS = 30, 2


def admin_url(url):
    """The same server, database `postgres`: to create and drop the scratch database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def run(*args, env):
    subprocess.run(args, cwd=ROOT, env=env, check=True)


def wait_for(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def figures(database_url, run_id):
    with psycopg.connect(database_url) as connection:
        stored, distinct = connection.execute(
            "SELECT count(*), count(DISTINCT summary) FROM partnerships_meeting "
            "WHERE summary LIKE %s",
            [f"Spotkanie próbne {run_id} %"],
        ).fetchone()
        doubled = connection.execute(
            "SELECT count(*) FROM (SELECT partnership_id FROM partnerships_assignment "
            "WHERE ended_at IS NULL GROUP BY partnership_id HAVING count(*) > 1) AS twice"
        ).fetchone()[0]
    return stored, stored - distinct, doubled


def main():
    server_url, name = admin_url(DATABASE_URL)
    run_id = uuid.uuid4().hex[:8]
    workdir = Path(tempfile.mkdtemp(prefix="prb-load-"))
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "DEBUG": "0",
        "SECRET_KEY": "load-test-only-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on 127.0.0.1; production keeps it on
        "SESSION_COOKIE_SECURE": "0",
        "TRUSTED_PROXIES": "1",  # each simulated person sends an X-Forwarded-For of their own
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        "LOG_LEVEL": "WARNING",
    }
    gunicorn = None
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')

    def stop(*_args):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        print(f"Scratch database {name}: migrate, demo data …", flush=True)
        manage = [str(BIN / "python"), "manage.py"]
        run(*manage, "migrate", "--no-input", "--verbosity", "0", env=env)
        run(*manage, "collectstatic", "--no-input", "--verbosity", "0", env=env)
        run(*manage, "seed_demo", "--password", "load", env=env)
        gunicorn = subprocess.Popen(
            [str(BIN / "gunicorn"), "prb_partnerships.wsgi:application",
             "--bind", f"127.0.0.1:{PORT}", "--workers", "3", "--timeout", "30",
             "--log-level", "warning"],
            cwd=ROOT, env=env,
        )
        wait_for(f"http://127.0.0.1:{PORT}/healthz")
        results = workdir / "results.json"
        print(f"locust: {ANIMATORS} animators, {EXPERTS} experts, {SECONDS} s …", flush=True)
        subprocess.run(
            [str(BIN / "locust"), "-f", "scripts/load/locustfile.py", "--headless",
             "--host", f"http://127.0.0.1:{PORT}", "-u", str(ANIMATORS + EXPERTS),
             "-r", "8", "--run-time", f"{SECONDS}s", "--stop-timeout", "10",
             "--only-summary"],
            cwd=ROOT, check=False,
            env={**env, "LOAD_RUN": run_id, "LOAD_RESULTS": str(results),
                 "LOAD_ANIMATORS": str(ANIMATORS), "LOAD_EXPERTS": str(EXPERTS)},
        )
        counts = json.loads(results.read_text())
        stored, duplicates, doubled = figures(DATABASE_URL, run_id)
        lost = counts["meetings_confirmed"] - (stored - duplicates)
        print()
        print(f"requests                              {counts['requests']}")
        print(f"meetings sent / confirmed / stored    {counts['meetings_sent']} / "
              f"{counts['meetings_confirmed']} / {stored}")
        print(f"  of them sent twice (double tap)     {counts['meetings_sent_twice']}")
        print(f"  confirmed but not stored (lost)     {lost}")
        print(f"  stored twice (duplicates)           {duplicates}")
        print(f"  refused (library reassigned)        {counts['meeting_refused']}")
        print(f"partners edited                       {counts['partners_edited']}")
        print(f"reassignments                         {counts['reassignments']}")
        print(f"answers 5xx                           {counts['server_errors']}")
        print(f"partnerships with 2 active animators  {doubled}")
        failed = lost or duplicates or counts["server_errors"] or doubled
        if failed:
            print("FAILED: see the figures above")
        return 1 if failed else 0
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            try:
                gunicorn.wait(timeout=20)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        with psycopg.connect(server_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        print(f"gunicorn stopped, database {name} dropped")


if __name__ == "__main__":
    sys.exit(main())
