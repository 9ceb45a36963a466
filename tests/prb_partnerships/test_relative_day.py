import datetime

import pytest
from django.utils import translation

from prb_partnerships.templatetags.prb import relative_day

TODAY = datetime.date(2026, 5, 20)


@pytest.mark.parametrize(
    ("days", "polish", "english"),
    [
        (0, "dzisiaj", "today"),
        (1, "wczoraj", "yesterday"),
        (-1, "jutro", "tomorrow"),
        (2, "2 dni temu", "2 days ago"),
        (22, "22 dni temu", "22 days ago"),
        (-5, "za 5 dni", "in 5 days"),
    ],
)
def test_a_day_is_said_as_people_say_it(days, polish, english):
    day = TODAY - datetime.timedelta(days=days)
    with translation.override("pl"):
        assert relative_day(day, TODAY) == polish
    with translation.override("en"):
        assert relative_day(day, TODAY) == english


def test_no_day_says_nothing():
    assert relative_day(None, TODAY) == ""
