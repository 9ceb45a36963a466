"""The answer when a request fails on the server: 503 "Technical break" while the database is
unreachable, the ordinary 500 page otherwise (README, "Headers and error pages")."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

# How long a browser or a client is asked to wait before trying again.
RETRY_AFTER_SECONDS = 120


def database_unavailable():
    """The 503 page: a template that needs neither the database nor the request."""
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@requires_csrf_token
def server_error(request):
    """handler500. Django calls it inside the `except` of whichever layer failed — a view, a
    template, or a middleware loading the session or the user — so the database error is still
    the exception being handled. (A middleware could not do this: Django turns every inner
    layer's exception into a response before the outer layers see it.)"""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable()
    return defaults.server_error(request)
