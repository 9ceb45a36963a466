"""Load scenario (`make load`): animators log meetings and edit partners, experts reassign.

Run by scripts/load.py against gunicorn on 127.0.0.1 with the demo data (`seed_demo --password
load`); it can also be run alone: `locust -f scripts/load/locustfile.py --host
http://127.0.0.1:8000`. Every meeting it sends carries a summary with the run's marker
(LOAD_RUN) and a number of its own, so the driver can count what was stored. One meeting form
in ten is sent twice with the same one-time token (a double tap): it must be stored once.
At the end the counts are written to LOAD_RESULTS (JSON).
"""

import json
import os
import random
import re
import threading
import uuid
from html.parser import HTMLParser

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "load")
RUN = os.environ.get("LOAD_RUN", uuid.uuid4().hex[:8])
RESULTS = os.environ.get("LOAD_RESULTS", "")
ANIMATORS = int(os.environ.get("LOAD_ANIMATORS", "30"))
EXPERTS = int(os.environ.get("LOAD_EXPERTS", "2"))
DOUBLE_TAP = 0.1

counts = {
    "meetings_sent": 0,  # distinct meeting forms sent (each with its own summary)
    "meetings_confirmed": 0,  # of those, answered with the redirect to the card
    "meetings_sent_twice": 0,  # sent a second time with the same token
    "meeting_refused": 0,  # 403/404: the library was reassigned meanwhile
    "partners_edited": 0,
    "reassignments": 0,
    "server_errors": 0,  # any answer >= 500, whatever the request
    "requests": 0,
}
lock = threading.Lock()
accounts = {"animator": iter(range(1, ANIMATORS + 1)), "expert": iter(range(1, EXPERTS + 1))}


def count(key, n=1):
    with lock:
        counts[key] += n


@events.request.add_listener
def _every_request(response=None, exception=None, **kwargs):
    count("requests")
    if response is not None and response.status_code >= 500:
        count("server_errors")


@events.quitting.add_listener
def _write_results(environment, **kwargs):
    if RESULTS:
        with open(RESULTS, "w", encoding="utf-8") as handle:
            json.dump({"run": RUN, **counts}, handle)


class FormParser(HTMLParser):
    """The fields of every POST form of a page, as a browser would send them unchanged:
    [(field names set, [(name, value)], {select name: [option values]})]."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = {"fields": [], "options": {}}
        elif self._form is None:
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            name = attrs.get("name")
            if not name or kind in {"submit", "button", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                self._form["options"].setdefault(name, []).append(attrs.get("value", "on"))
                return
            self._form["fields"].append([name, attrs.get("value", "")])
        elif tag == "select":
            self._select = attrs.get("name")
            self._form["options"][self._select] = []
            self._form["fields"].append([self._select, ""])
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            self._form["options"][self._select].append(value)
            if "selected" in attrs:
                self._set(self._select, value)
        elif tag == "textarea":
            self._textarea = attrs.get("name")
            self._form["fields"].append([self._textarea, ""])

    def handle_data(self, data):
        if self._textarea:
            for field in self._form["fields"]:
                if field[0] == self._textarea:
                    field[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None

    def _set(self, name, value):
        for field in self._form["fields"]:
            if field[0] == name:
                field[1] = value


def form_with(html, field):
    """(fields as a dict, options) of the page's POST form that has `field`."""
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        names = {name for name, _value in form["fields"]} | set(form["options"])
        if field in names:
            return dict(form["fields"]), form["options"]
    return None, None


class Person(HttpUser):
    abstract = True
    role = ""

    def on_start(self):
        number = next(accounts[self.role])
        # Each person from an address of their own, as behind the production proxy (gunicorn
        # runs with TRUSTED_PROXIES=1): one shared address would meet allauth's limit of 30
        # sign-ins a minute per address.
        self.client.headers["X-Forwarded-For"] = (
            f"127.0.{1 if self.role == 'animator' else 2}.{number}"
        )
        self.email = (
            f"animator{number:02d}@example.org" if self.role == "animator"
            else f"ekspert{number}@example.org"
        )
        page = self.client.get("/accounts/login/", name="/accounts/login/")
        fields, _options = form_with(page.text, "login")
        fields.update(login=self.email, password=PASSWORD)
        with self.client.post(
            "/accounts/login/", data=fields, name="/accounts/login/ POST",
            allow_redirects=False, catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"sign-in of {self.email} refused: {answer.status_code}")


class Animator(Person):
    """Logs meetings (two in three tasks) and edits a partner of their libraries."""

    role = "animator"
    weight = ANIMATORS
    fixed_count = ANIMATORS
    wait_time = between(1, 3)

    def libraries(self):
        page = self.client.get("/libraries/mine/", name="/libraries/mine/")
        return sorted(set(re.findall(r'href="/libraries/(\d+)/"', page.text)))

    @task(2)
    def log_meeting(self):
        libraries = self.libraries()
        if not libraries:
            return
        url = f"/libraries/{random.choice(libraries)}/meetings/new/"
        page = self.client.get(url, name="/libraries/<id>/meetings/new/")
        fields, options = form_with(page.text, "summary")
        if fields is None:  # reassigned meanwhile: 403
            count("meeting_refused")
            return
        fields.update(
            kind=random.choice(options.get("kind") or ["visit"]),
            participants=str(random.randint(0, 40)),
            summary=f"Spotkanie próbne {RUN} nr {uuid.uuid4().hex}",
        )
        present = options.get("partners_present") or []
        data = list(fields.items()) + [
            ("partners_present", value) for value in random.sample(present, min(2, len(present)))
        ]
        count("meetings_sent")
        twice = random.random() < DOUBLE_TAP
        for attempt in range(2 if twice else 1):
            with self.client.post(
                url, data=data, name="/libraries/<id>/meetings/new/ POST",
                allow_redirects=False, catch_response=True,
            ) as answer:
                if answer.status_code == 302:
                    answer.success()
                    if attempt == 0:
                        count("meetings_confirmed")
                elif answer.status_code in (403, 404):
                    answer.success()
                    count("meeting_refused")
                else:
                    answer.failure(f"meeting not saved: {answer.status_code}")
            if attempt == 1:
                count("meetings_sent_twice")

    @task(1)
    def edit_partner(self):
        libraries = self.libraries()
        if not libraries:
            return
        card = self.client.get(f"/libraries/{random.choice(libraries)}/", name="/libraries/<id>/")
        partners = re.findall(r'href="/partners/(\d+)/edit/"', card.text)
        if not partners:
            return
        url = f"/partners/{random.choice(partners)}/edit/"
        page = self.client.get(url, name="/partners/<id>/edit/")
        fields, _options = form_with(page.text, "notes")
        if fields is None:
            return
        fields["notes"] = f"Uwagi z próby obciążenia {RUN}: {uuid.uuid4().hex[:6]}"
        with self.client.post(
            url, data=fields, name="/partners/<id>/edit/ POST",
            allow_redirects=False, catch_response=True,
        ) as answer:
            if answer.status_code == 302:
                count("partners_edited")
            elif answer.status_code in (403, 404):
                answer.success()
            else:
                answer.failure(f"partner not saved: {answer.status_code}")


class Expert(Person):
    """Reassigns the animator of a partnership, with a reason."""

    role = "expert"
    weight = EXPERTS
    fixed_count = EXPERTS
    wait_time = between(2, 5)

    def on_start(self):
        super().on_start()
        page = self.client.get("/libraries/", name="/libraries/")
        self.library_ids = sorted(set(re.findall(r'href="/libraries/(\d+)/"', page.text)))

    @task
    def reassign(self):
        if not self.library_ids:
            return
        card = self.client.get(
            f"/libraries/{random.choice(self.library_ids)}/", name="/libraries/<id>/"
        )
        found = re.search(r'href="/assignments/partnership/(\d+)/"', card.text)
        if not found:
            return
        url = f"/assignments/partnership/{found.group(1)}/"
        page = self.client.get(url, name="/assignments/partnership/<id>/")
        fields, options = form_with(page.text, "reason")
        candidates = [a for a in options.get("animator", []) if a and a != fields.get("animator")]
        if not candidates:
            return
        fields.update(animator=random.choice(candidates), reason=f"Próba obciążenia {RUN}")
        with self.client.post(
            url, data=fields, name="/assignments/partnership/<id>/ POST",
            allow_redirects=False, catch_response=True,
        ) as answer:
            if answer.status_code == 302:
                count("reassignments")
            elif answer.status_code == 400 or answer.status_code == 200:
                answer.success()  # someone reassigned it meanwhile: the form says so
            else:
                answer.failure(f"reassignment not saved: {answer.status_code}")
