"""Every page speaks one language: shown in Polish it has no English message of the project's
catalogue, shown in English no Polish one (tests/checkers.py says how phrases are found); and
its Polish is the same for everyone, speaking to no one as a man or as a woman ("Nie pamiętasz
hasła?", not "Zapomniałeś hasła?"). The e-mails, always in Polish, too.

The pages (tests/every_page.py): those of tests/test_every_url.py's table that answer the
coordinator, an expert, the library's animator and librarian or an anonymous visitor with a
page (GET, also with the queries that show something else, and the form an empty POST shows
again with its errors), the admin's list, add, change, history and delete pages of every
registered model for the coordinator and an expert, and the error pages (400, the CSRF refusal,
403, 404, 500, 503).

A finding may be allowed for a while, with its reason, in `KNOWN_ELSEWHERE` (keyed by the
URL pattern's name, or "e-mail", and the language); an
allowance that is no longer needed fails the test, so that it is removed.
"""

from io import StringIO

import pytest

from tests.checkers import LanguageChecker, gendered
from tests.every_page import every_page, scene_with_everything  # noqa: F401 (a fixture)
from tests.test_every_url import scene  # noqa: F401 (a fixture)

# {(URL pattern's name or "e-mail", language): {finding, ...}}: to be emptied, not grown.
KNOWN_ELSEWHERE = {}


@pytest.fixture(scope="module")
def checker():
    return LanguageChecker()


class Findings:
    """What the pages show that they should not, less the allowances; and the allowances that
    nothing needed."""

    def __init__(self, language, keys):
        self.language = language
        self.allowed = {key: set(found) for key, found in KNOWN_ELSEWHERE.items()
                        if key[1] == language and key[0] in keys}
        self.needed = set()
        self.found = {}

    def add(self, key, where, problems):
        allowed = self.allowed.get((key, self.language), set())
        self.needed |= {(key, problem) for problem in problems & allowed}
        if problems - allowed:
            self.found.setdefault(where, set()).update(problems - allowed)

    def report(self):
        lines = [f"{where}: {sorted(problems)}" for where, problems in self.found.items()]
        lines += [
            f"{key!r} allows {problem!r}, no longer found: remove it"
            for key, problems in self.allowed.items()
            for problem in sorted(problems)
            if (key[0], problem) not in self.needed
        ]
        if lines:
            pytest.fail("\n".join(lines), pytrace=False)


def problems_of(checker, html, language):
    problems = set(checker.leaks(html, language))
    if language == "pl":
        problems |= {f"said to a man or a woman: {word}" for word in gendered(html)}
    return problems


@pytest.mark.parametrize("language", ["pl", "en"])
def test_every_page_speaks_one_language(scene_with_everything, checker, language):  # noqa: F811
    users, values = scene_with_everything
    pages = list(every_page(users, values, language))
    findings = Findings(language, {name for name, *_rest in pages})
    for name, role, method, url, html in pages:
        findings.add(name, f"{method.upper()} {url} as {role}",
                     problems_of(checker, html, language))
    findings.report()


@pytest.mark.django_db
def test_every_email_speaks_polish_to_everyone(demo_data, checker, mailoutbox,
                                               django_capture_on_commit_callbacks):
    """The invitation, the reminders and the weekly digest, on the demo data."""
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from animators.services import person_create
    from prb_partnerships.roles import Role
    from tests.conftest import DEMO_TODAY

    coordinator = User.objects.get(email="koordynator@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        person_create(email="nowa.ekspertka@example.org", first_name="Ewa", last_name="Nowak",
                      role=Role.EXPERT, by=coordinator)
    for command in ("send_reminders", "send_digest", "end_temporary_assignments"):
        call_command(command, f"--today={DEMO_TODAY}", stdout=StringIO())
    kinds = {m.subject.split(":")[0] for m in mailoutbox}
    assert {"[PRB] Przypomnienie", "[PRB] Twoje konto w PRB Partnerstwa"} <= kinds, kinds
    assert len(kinds) >= 3, kinds  # the digest too

    findings = Findings("pl", {"e-mail"})
    for message in mailoutbox:
        for part in (message.subject, message.body, *(b for b, _ in message.alternatives)):
            findings.add("e-mail", message.subject, problems_of(checker, part, "pl"))
    findings.report()
