"""Pages kept ready under the data version (prb_partnerships/freshness.py) — and never stale.

The other tests run with the fragments cache off (tests/conftest.py); these turn it on, as in
production: a cache in memory of its own for each test, and the real data version. A test's
transaction never commits, so every write here runs in `commit()`, which runs the callbacks a
commit would run (`transaction.on_commit`) and then forgets them, as a commit does.
"""

import contextlib
import datetime
import re
import uuid

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from libraries.models import Library
from libraries.services import libraries_create_imported
from partnerships import services, uploads
from partnerships.models import Assignment, Meeting, MeetingKind, PendingUpload, Sector, Stage
from prb_partnerships import freshness
from prb_partnerships.roles import Role
from tests import factories
from tests.prb_partnerships.test_admin import form_data

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 6, 15)
# Read when this module is imported: tests/conftest.py puts a constant in its place in each test.
REAL_DATA_VERSION = freshness.data_version
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def _pages_kept(_test_settings, settings, monkeypatch, tmp_path):
    """The fragments cache on (in a memory of this test's own), the real data version, and a
    fixed day inside the round."""
    settings.CACHES = {
        **settings.CACHES,
        "fragments": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"fresh-{uuid.uuid4().hex}",
        },
    }
    monkeypatch.setattr(freshness, "data_version", REAL_DATA_VERSION)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit() as callbacks:` the writes inside are committed: the callbacks they
    registered run at the end (listed in `callbacks`). What the set-up wrote before counts as
    committed already; its callbacks are dropped, as the test transaction holds them forever
    (and `bump` would take them for its own, registered once per transaction block)."""
    connection = transaction.get_connection()

    @contextlib.contextmanager
    def committed():
        connection.run_on_commit = []
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield callbacks
        connection.run_on_commit = []

    return committed


def replacements(callbacks) -> int:
    return sum(1 for callback in callbacks if callback is freshness._replace)


def signed_in(user) -> Client:
    """A browser of `user`'s, in English."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def main(response) -> str:
    """The page's <main> as the user gets it, without the messages above the page's own body
    (the message after a save names what was saved)."""
    content = response.content.decode()
    content = content[content.index("<main") : content.index("</main>")]
    return re.sub(r'<div class="messages-region".*?</div>', "", content, flags=re.S)


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def kept(client, url) -> str:
    """GET `url` until its body is kept: the second answer must come from the fragments cache
    (what makes the page stale if a write does not change the version). Its <main>."""
    get(client, url)
    response = get(client, url)
    assert response.context["fragment"].ready, url
    return main(response)


def fresh(client, url) -> str:
    """GET `url` after a write: built afresh, not the body kept before. Its <main>."""
    response = get(client, url)
    assert not response.context["fragment"].ready, url
    return main(response)


def card(library):
    return f"/libraries/{library.pk}/"


def new_meeting(library):
    return f"/libraries/{library.pk}/meetings/new/"


DASHBOARD, BOARD, LIST, MINE = "/dashboard/", "/assignments/", "/libraries/", "/libraries/mine/"


# ----- The data version -----


class TestDataVersion:
    def test_a_save_a_delete_and_an_m2m_change_each_give_a_new_version(self, commit, animator,
                                                                       partnership):
        seen = [freshness.data_version()]
        with commit():
            meeting = factories.MeetingFactory(partnership=partnership)
        seen.append(freshness.data_version())
        with commit():
            partner = factories.PartnerFactory(partnership=partnership)
        seen.append(freshness.data_version())
        with commit():
            meeting.partners_present.add(partner)
        seen.append(freshness.data_version())
        with commit():
            animator.user.groups.add(Group.objects.get(name=Role.EXPERT))
        seen.append(freshness.data_version())
        with commit():
            animator.user.groups.clear()
        seen.append(freshness.data_version())
        with commit():
            partner.delete()
        seen.append(freshness.data_version())

        assert len(set(seen)) == len(seen)

    def test_not_before_the_commit(self, commit, partnership):
        before = freshness.data_version()

        with commit():
            factories.MeetingFactory(partnership=partnership)
            assert freshness.data_version() == before

        assert freshness.data_version() != before

    def test_a_write_rolled_back_leaves_it(self, commit, settings, partnership):
        # The shared cache in Redis, which a rollback does not undo (the database table would).
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": f"fresh-{uuid.uuid4().hex}",
            },
        }
        before = freshness.data_version()

        with commit() as callbacks, pytest.raises(RuntimeError):
            with transaction.atomic():
                factories.MeetingFactory(partnership=partnership)
                factories.PartnerFactory(partnership=partnership)
                raise RuntimeError("refused")

        assert freshness.data_version() == before
        assert replacements(callbacks) == 0

    def test_a_service_writing_several_records_replaces_it_once_per_block(
        self, commit, animator, partnership, other_partnership
    ):
        """One new version after the commit however many records the service writes: one
        callback per transaction block (the service's, its nested milestones' and the m2m
        write's), not one per record."""

        def log_first_meeting(partnership, present, new):
            factories.reach_stages(partnership, 2)  # the first meeting is the next stage
            present = factories.PartnerFactory.create_batch(present, partnership=partnership)
            before = freshness.data_version()
            with commit() as callbacks:
                meeting = services.meeting_create(
                    partnership=partnership,
                    by=animator.user,
                    fields={
                        "date": D(2026, 6, 10), "kind": MeetingKind.PARTNERSHIP,
                        "participants": 12, "summary": "Spotkanie.", "decisions": "",
                        "support_declared": "", "next_meeting_on": None,
                    },
                    partners_present=present,
                    new_partners=[{"name": name, "sector": Sector.NGO} for name in new],
                )
            # Written: the meeting, the new partners, the partners present and the milestone
            # of the first meeting.
            assert partnership.milestones.filter(stage=Stage.FIRST_MEETING).exists()
            assert meeting.partners_present.count() == len(present) + len(new)
            assert freshness.data_version() != before
            return replacements(callbacks)

        few = log_first_meeting(partnership, 1, ["Koło Gospodyń Wiejskich"])
        many = log_first_meeting(other_partnership, 5, ["OSP", "Parafia", "Klub Seniora"])

        assert 1 <= few == many <= 3

    def test_signing_in_changes_nothing(self, commit, animator):
        before = freshness.data_version()

        with commit() as callbacks:
            signed_in(animator.user)
            animator.user.last_login = timezone.now()
            animator.user.save(update_fields=["last_login"])

        assert replacements(callbacks) == 0
        assert freshness.data_version() == before

    def test_a_file_waiting_for_its_form_changes_nothing(self, commit, animator, library):
        before = freshness.data_version()

        photo = SimpleUploadedFile("lista.jpg", JPEG, content_type="image/jpeg")

        with commit() as callbacks:  # a form sent back: the photo chosen is kept for it
            response = signed_in(animator.user).post(
                new_meeting(library), factories.meeting_post(participants="-3", attachments=[photo])
            )
        assert response.status_code == 400
        assert PendingUpload.objects.filter(user=animator.user).exists()
        with commit() as more_callbacks:
            uploads.pending_discard(PendingUpload.objects.all())

        assert replacements(callbacks) + replacements(more_callbacks) == 0
        assert freshness.data_version() == before


# ----- Pages kept -----


def programme(size, round_, animator, partnership):
    """`size` partnerships of `animator` (`partnership` the first), each with a partner, a
    meeting and a stage reached; and as many without an animator."""
    partnerships = [partnership] + [
        factories.AssignmentFactory(
            partnership=factories.PartnershipFactory(round=round_), animator=animator
        ).partnership
        for _ in range(size - 1)
    ]
    for p in partnerships:
        factories.reach_stages(p, 1)
        factories.PartnerFactory(partnership=p)
        factories.MeetingFactory(partnership=p, date=D(2026, 5, 5))
    factories.PartnershipFactory.create_batch(size, round=round_)
    return partnerships


PAGES = {  # the page: who asks for it, and the queries of its answer once kept
    "dashboard": (DASHBOARD, "expert", 5),
    "board": (BOARD, "expert", 5),
    "list": (LIST, "expert", 4),
    "home": (MINE, "animator", 4),
    # … and, on an animator's card, how many of their meetings they may still correct
    "card": ("card", "animator", 6),
}


@pytest.mark.parametrize("size", [2, 12])
@pytest.mark.parametrize("name", list(PAGES))
def test_a_page_asked_again_is_served_as_kept(
    name, size, round_, expert, animator, partnership, django_assert_num_queries
):
    partnerships = programme(size, round_, animator, partnership)
    url, who, queries = PAGES[name]
    url = card(partnership.library) if url == "card" else url
    client = signed_in({"expert": expert, "animator": animator.user}[who])
    first = get(client, url)
    assert not first.context["fragment"].ready
    if name in ("board", "list", "home"):  # the page grows with the data
        assert all(f">{p.library.name}</a>" in main(first) for p in partnerships)

    # The session, the person, their roles, what the page checks before the kept body (the
    # round chosen; the library asked for) and the data version: the same at both sizes.
    with django_assert_num_queries(queries):
        again = get(client, url)

    assert again.context["fragment"].ready
    assert main(again) == main(first)


# ----- Never stale: each write through the way people make it, then the pages -----


def figure(html, words) -> int:
    """A figure of the dashboard: the number before `words` (a pattern)."""
    match = re.search(r'<span class="figure__n">(\d+)</span>\s*' + words, html)
    assert match, words
    return int(match[1])


def cell(html, label) -> list[str]:
    """The cells of the list's column `label`, row by row."""
    return [
        re.sub(r"<[^>]+>|\s+", " ", text).strip()
        for text in re.findall(rf'<td data-label="{label}"[^>]*>(.*?)</td>', html, re.S)
    ]


def row_of(html, text) -> str:
    """The table row that shows `text`."""
    rows = [row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if text in row]
    assert len(rows) == 1, text
    return rows[0]


def name_of(user) -> str:
    return user.get_full_name()


@pytest.fixture
def people(expert, animator, librarian, coordinator):
    """Everyone's browser."""
    return {
        "expert": signed_in(expert),
        "animator": signed_in(animator.user),
        "librarian": signed_in(librarian),
        "coordinator": signed_in(coordinator),
    }


class TestNeverStale:
    def test_a_meeting_logged(self, commit, people, library):
        pages = {
            "card": kept(people["animator"], card(library)),
            "librarian's card": kept(people["librarian"], card(library)),
            "list": kept(people["expert"], LIST),
            "dashboard": kept(people["expert"], DASHBOARD),
            "home": kept(people["animator"], MINE),
        }
        summary = "Rozmowa o festynie dożynkowym w sali OSP."

        with commit():
            response = people["animator"].post(
                new_meeting(library), factories.meeting_post(summary=summary)
            )
        assert response.status_code == 302

        assert summary not in pages["card"]
        assert summary in fresh(people["animator"], card(library))
        assert summary in fresh(people["librarian"], card(library))
        assert cell(pages["list"], "Last meeting") == ["—"]
        assert cell(fresh(people["expert"], LIST), "Last meeting") == ["10 June 2026"]
        in_round = figure(pages["dashboard"], "meetings? in the round")
        assert figure(fresh(people["expert"], DASHBOARD), "meetings? in the round") == in_round + 1
        assert "10 June" not in pages["home"]
        assert "10 June" in fresh(people["animator"], MINE)

    def test_a_stage_recorded_by_hand(self, commit, people, library):
        before = {
            "card": kept(people["animator"], card(library)),
            "list": kept(people["expert"], LIST),
        }

        with commit():
            response = people["animator"].post(f"/libraries/{library.pk}/milestones/new/", {
                "stage": Stage.DIAGNOSIS, "reached_on": "2026-03-25", "note": "Mapa partnerów."
            })
        assert response.status_code == 302

        reached = "reached on 25 March 2026"
        assert reached not in before["card"] and reached in fresh(people["animator"], card(library))
        assert cell(before["list"], "Stage") == ["no stage reached yet"]
        assert cell(fresh(people["expert"], LIST), "Stage") == [
            f"stage 1 of 7 reached: {Stage.DIAGNOSIS.label}"
        ]

    def test_a_partner_added(self, commit, people, library):
        before = {
            "card": kept(people["animator"], card(library)),
            "list": kept(people["expert"], LIST),
        }

        with commit():
            response = people["animator"].post(f"/libraries/{library.pk}/partners/new/", {
                "name": "Parafia pw. św. Jana", "sector": Sector.PARISH, "joined_on": "2026-05-01"
            })
        assert response.status_code == 302

        assert "Parafia pw. św. Jana" not in before["card"]
        assert "Parafia pw. św. Jana" in fresh(people["animator"], card(library))
        assert cell(before["list"], "Partners") == ["0"]
        assert cell(fresh(people["expert"], LIST), "Partners") == ["1"]

    def test_a_partner_added_is_offered_on_the_kept_meeting_form(self, commit, people, library):
        url = new_meeting(library)
        before = get(people["animator"], url).content.decode()
        again = get(people["animator"], url).content.decode()
        # The empty form's fields are kept (only the tokens of each answer differ).
        assert any("form_fields" in key for key in caches["fragments"]._cache)
        assert again.count('name="partners_present"') == before.count('name="partners_present"')

        with commit():
            response = people["animator"].post(f"/libraries/{library.pk}/partners/new/", {
                "name": "Parafia pw. św. Jana", "sector": Sector.PARISH, "joined_on": "2026-05-01"
            })
        assert response.status_code == 302

        assert "Parafia pw. św. Jana" not in again
        assert "Parafia pw. św. Jana" in get(people["animator"], url).content.decode()

    def test_an_agreement_recorded(self, commit, people, library, partnership):
        factories.reach_stages(partnership, 4)  # planning reached: the agreement comes next
        signer = factories.PartnerFactory(partnership=partnership, name="Urząd Gminy")
        before = {
            "card": kept(people["animator"], card(library)),
            "dashboard": kept(people["expert"], DASHBOARD),
        }

        with commit():
            response = people["animator"].post(f"/libraries/{library.pk}/agreement/", {
                "kind": "declaration", "signed_on": "2026-06-05", "signatories": [signer.pk]
            })
        assert response.status_code == 302

        assert "Not signed yet." in before["card"]
        assert "signed on 5 June 2026" in fresh(people["animator"], card(library))
        assert figure(before["dashboard"], "agreements? signed") == 0
        assert figure(fresh(people["expert"], DASHBOARD), "agreements? signed") == 1

    def test_a_joint_action_saved(self, commit, people, library):
        before = kept(people["animator"], card(library))

        with commit():
            response = people["animator"].post(f"/libraries/{library.pk}/actions/new/", {
                "title": "Festyn rodzinny nad zalewem", "planned_on": "2026-07-04",
                "status": "planned",
            })
        assert response.status_code == 302

        assert "Festyn rodzinny nad zalewem" not in before
        assert "Festyn rodzinny nad zalewem" in fresh(people["animator"], card(library))

    def test_a_reassignment_to_another_animator(self, commit, people, expert, animator,
                                                partnership, library):
        newcomer = factories.AnimatorFactory(
            user__first_name="Bogumiła", user__last_name="Zawadzka", expert=expert
        )
        before = {
            "board": kept(people["expert"], BOARD),
            "card": kept(people["expert"], card(library)),
            "list": kept(people["expert"], LIST),
            "home": kept(people["animator"], MINE),
        }

        with commit():
            response = people["expert"].post(
                f"/assignments/partnership/{partnership.pk}/?from=board",
                {
                    "animator": newcomer.pk, "reason": "Urlop macierzyński",
                    "current": Assignment.objects.active().get(partnership=partnership).pk,
                },
            )
        assert response.status_code == 302

        board = fresh(people["expert"], BOARD)
        assert library.name in row_of(before["board"], name_of(animator.user))
        assert library.name not in row_of(board, name_of(animator.user))
        assert library.name in row_of(board, "Bogumiła Zawadzka")
        assert "Bogumiła Zawadzka" not in before["card"]
        assert "Bogumiła Zawadzka" in fresh(people["expert"], card(library))
        user = animator.user
        assert cell(before["list"], "Animator") == [f"{user.last_name} {user.first_name}"]
        assert cell(fresh(people["expert"], LIST), "Animator") == ["Zawadzka Bogumiła"]
        # … and the animator who supported it no longer has it at home.
        assert library.name in before["home"]
        assert library.name not in fresh(people["animator"], MINE)

    def test_a_meeting_deleted(self, commit, people, animator, partnership, library):
        meeting = factories.MeetingFactory(
            partnership=partnership, logged_by=animator.user, summary="Spotkanie do usunięcia."
        )
        before = kept(people["animator"], card(library))

        with commit():
            response = people["animator"].post(f"/meetings/{meeting.pk}/delete/")
        assert response.status_code == 302

        assert "Spotkanie do usunięcia." in before
        assert "Spotkanie do usunięcia." not in fresh(people["animator"], card(library))
        assert not Meeting.objects.exists()

    def test_a_library_renamed_in_the_admin(self, commit, people, library):
        before = {
            "card": kept(people["animator"], card(library)),
            "list": kept(people["expert"], LIST),
        }
        url = f"/admin/libraries/library/{library.pk}/change/"
        data = form_data(people["coordinator"].get(url)) | {"name": "Biblioteka pod Kasztanem"}

        with commit():
            response = people["coordinator"].post(url, data)
        assert response.status_code == 302

        assert "Biblioteka pod Kasztanem" not in before["card"] + before["list"]
        assert "<h1>Biblioteka pod Kasztanem</h1>" in fresh(people["animator"], card(library))
        assert ">Biblioteka pod Kasztanem</a>" in fresh(people["expert"], LIST)

    def test_the_admin_lists_kept_show_a_meeting_logged_and_a_library_renamed(
        self, commit, people, library, partnership
    ):
        partnerships = "/admin/partnerships/partnership/"
        meetings = "/admin/partnerships/meeting/"

        def admin_list(url):
            response = people["expert"].get(url)
            assert response.status_code == 200
            return response

        admin_list(partnerships), admin_list(meetings)
        before = {url: admin_list(url) for url in (partnerships, meetings)}
        # The rows of both lists are kept.
        kept_rows = [key for key in caches["fragments"]._cache if "admin_result_list" in key]
        assert len(kept_rows) == 2

        with commit():
            response = people["animator"].post(new_meeting(library), factories.meeting_post(
                date="2026-06-14", summary="Spotkanie w bibliotece."
            ))
        assert response.status_code == 302
        url = f"/admin/libraries/library/{library.pk}/change/"
        data = form_data(people["coordinator"].get(url)) | {"name": "Biblioteka pod Kasztanem"}
        with commit():
            assert people["coordinator"].post(url, data).status_code == 302

        assert "Kasztanem" not in before[partnerships].content.decode()
        assert "Biblioteka pod Kasztanem" in admin_list(partnerships).content.decode()
        assert f">{library.name}<" not in before[meetings].content.decode()  # no meeting yet
        assert "Biblioteka pod Kasztanem" in admin_list(meetings).content.decode()

    def test_a_partner_renamed_in_the_admin(self, commit, people, partnership, library):
        partner = factories.PartnerFactory(partnership=partnership, name="Klub Seniora")
        before = kept(people["animator"], card(library))
        url = f"/admin/partnerships/partner/{partner.pk}/change/"
        data = form_data(people["coordinator"].get(url)) | {"name": "Klub Seniora „Jesień”"}

        with commit():
            response = people["coordinator"].post(url, data)
        assert response.status_code == 302

        assert "Klub Seniora" in before and "Jesień" not in before
        assert "Klub Seniora „Jesień”" in fresh(people["animator"], card(library))

    def test_a_person_renamed_in_the_admin(self, commit, people, animator, library):
        before = {
            "card": kept(people["librarian"], card(library)),
            "board": kept(people["expert"], BOARD),
        }
        url = f"/admin/auth/user/{animator.user.pk}/change/"
        data = form_data(people["coordinator"].get(url)) | {
            "first_name": "Bogumiła", "last_name": "Zawadzka-Nowak"
        }

        with commit():
            response = people["coordinator"].post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors

        assert "Zawadzka-Nowak" not in before["card"] + before["board"]
        assert "Bogumiła Zawadzka-Nowak" in fresh(people["librarian"], card(library))
        assert "Bogumiła Zawadzka-Nowak" in fresh(people["expert"], BOARD)

    def test_libraries_imported(self, commit, people, round_, coordinator):
        before = {
            "list": kept(people["coordinator"], LIST),
            "board": kept(people["expert"], BOARD),
        }
        new = factories.LibraryFactory.build(name="Miejska Biblioteka Publiczna w Limanowej")

        with commit(), transaction.atomic():
            libraries_create_imported(
                libraries=[(new, None)], round_=round_, by=coordinator, accounts={}
            )

        assert Library.objects.filter(name=new.name).exists()
        assert new.name not in before["list"] + before["board"]
        assert f">{new.name}</a>" in fresh(people["coordinator"], LIST)
        assert f">{new.name}</a>" in fresh(people["expert"], BOARD)  # waits for an animator

    def test_a_person_deactivated(self, commit, people, animator, library):
        before = {
            "board": kept(people["expert"], BOARD),
            "card": kept(people["expert"], card(library)),
        }

        with commit():
            response = people["expert"].post(f"/people/{animator.user.pk}/deactivate/")
        assert response.status_code == 200

        board = fresh(people["expert"], BOARD)
        assert name_of(animator.user) in before["board"]
        assert name_of(animator.user) not in board  # no longer among the active animators
        assert "Every partnership has an animator." in before["board"]
        assert f">{library.name}</a>" in board.split('id="animators-heading"')[0]  # waits
        gone = "account no longer active"
        assert gone not in before["card"] and gone in fresh(people["expert"], card(library))

    def test_the_next_day(self, monkeypatch, people, partnership, library):
        factories.MeetingFactory(partnership=partnership, date=D(2026, 6, 10))
        before = {
            "dashboard": kept(people["expert"], DASHBOARD),
            "card": kept(people["animator"], card(library)),
        }

        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY + datetime.timedelta(1))

        assert "as of 15 June 2026" in before["dashboard"]
        assert "as of 16 June 2026" in fresh(people["expert"], DASHBOARD)
        assert "(5 days ago)" in before["card"]
        assert "(6 days ago)" in fresh(people["animator"], card(library))


def test_an_animators_kept_card_drops_correct_when_the_window_closes(
    animator, partnership, monkeypatch
):
    """An animator corrects their own meeting for 14 days (partnerships/access.py): when the
    window closes during the day, the kept card is not served with its "correct" link."""
    now = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    meeting = factories.MeetingFactory(partnership=partnership, logged_by=animator.user)
    meeting.created_at = now - datetime.timedelta(days=14) + datetime.timedelta(minutes=30)
    meeting.save(update_fields=["created_at"])
    client = signed_in(animator.user)
    edit = f"/meetings/{meeting.pk}/edit/"
    assert edit in kept(client, card(partnership.library))

    now += datetime.timedelta(hours=2)

    assert edit not in fresh(client, card(partnership.library))
    assert client.get(edit).status_code == 403
