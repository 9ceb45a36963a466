"""The calendar feed (`/calendar/<token>.ics`, no sign-in: the token is the key) and the
button that gives a person a new address (`/calendar/new-address/`). What the feed holds:
`partnerships.calendar_feed`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from partnerships import calendar_feed
from partnerships.models import CalendarFeed


@require_safe
def feed(request, token):
    """The person's events as iCalendar; an unknown or replaced token (or a deactivated
    account) answers 404. Sent with `Cache-Control: no-store` like every page (the project's
    middleware): it shows personal data, and calendar applications poll on their own schedule
    (the feed asks for every hour)."""
    found = calendar_feed.feed_of_token(token)
    if found is None:
        raise Http404
    response = HttpResponse(
        calendar_feed.feed_ical(found.user), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="prb-partnerstwa.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_POST
def renew(request):
    """Make the person's calendar address, or replace it: the old one stops working."""
    had_one = CalendarFeed.objects.filter(user=request.user).exists()
    calendar_feed.calendar_feed_renew(user=request.user)
    if had_one:
        messages.success(request, _(
            "Your calendar has a new address. The old one no longer works: subscribe to the new "
            "one in your calendar application and remove the old calendar there."
        ))
    else:
        messages.success(request, _(
            "Your calendar address is ready. Add it to your calendar application as described "
            "below."
        ))
    return redirect(reverse("partnerships:notification_settings") + "#calendar")
