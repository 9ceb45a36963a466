"""Locust side of scripts/bench_http.py: a closed loop that follows a plan of timed segments.

Reads its plan from the JSON file BENCH_PLAN: {"lead": seconds before the first segment,
"segments": [{"url": …, "session": sessionid cookie value or null, "start": s, "end": s}],
"results": path}. Every simulated user sends one GET after another, with no wait, to the URL of
the segment in which the request starts (by the clock, counted from the start of the test plus
the lead); redirects are not followed. When the last segment is over, locust stops and writes
every request to "results" as [segment, user, started, ended, status] (seconds from the start
of the first segment). Run by scripts/bench_http.py; not meant to be run alone.
"""

import itertools
import json
import os
import time

import gevent
from locust import constant, events, task
from locust.contrib.fasthttp import FastHttpUser

with open(os.environ["BENCH_PLAN"], encoding="utf-8") as handle:
    PLAN = json.load(handle)
SEGMENTS = PLAN["segments"]
END = SEGMENTS[-1]["end"]

clock = {"t0": 0.0, "quitting": False}
records = []
user_numbers = itertools.count()


@events.test_start.add_listener
def _start(environment, **kwargs):
    clock["t0"] = time.monotonic() + PLAN["lead"]


@events.quitting.add_listener
def _write_results(environment, **kwargs):
    with open(PLAN["results"], "w", encoding="utf-8") as handle:
        json.dump({"records": records}, handle)


def now():
    return time.monotonic() - clock["t0"]


def segment_at(moment):
    for number, segment in enumerate(SEGMENTS):
        if segment["start"] <= moment < segment["end"]:
            return number
    return None


class Visitor(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.number = next(user_numbers)

    @task
    def get(self):
        moment = now()
        if moment < 0:
            gevent.sleep(-moment)
            return
        number = segment_at(moment)
        if number is None:  # the plan is over: stop the test (once), send nothing more
            if not clock["quitting"]:
                clock["quitting"] = True
                gevent.spawn(self.environment.runner.quit)
            gevent.sleep(1)
            return
        segment = SEGMENTS[number]
        headers = {"Cookie": f"sessionid={segment['session']}"} if segment["session"] else {}
        self.client.cookiejar.clear()  # no cookie but the plan's session
        started = now()
        response = self.client.get(
            segment["url"], headers=headers, name=segment["url"], allow_redirects=False
        )
        records.append([number, self.number, started, now(), response.status_code])
