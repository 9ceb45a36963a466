"""Small template helpers shared by every page: a day said the way people say it."""

import datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext, ngettext

register = template.Library()


def relative_day(day, today=None):
    """ "dzisiaj", "wczoraj", "3 dni temu", "jutro", "za 5 dni" for a date (or '' for None)."""
    if day is None:
        return ""
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date()
    today = today or timezone.localdate()
    days = (today - day).days
    if days == 0:
        return gettext("today")
    if days == 1:
        return gettext("yesterday")
    if days == -1:
        return gettext("tomorrow")
    if days > 0:
        return ngettext("%(days)d day ago", "%(days)d days ago", days) % {"days": days}
    return ngettext("in %(days)d day", "in %(days)d days", -days) % {"days": -days}


@register.filter
def days_ago(day):
    """{{ meeting.date|days_ago }} → "dzisiaj" / "wczoraj" / "3 dni temu" / "za 2 dni"."""
    return relative_day(day)
