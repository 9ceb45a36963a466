from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from libraries.models import Library
from prb_partnerships.roles import Role, roles_of, sees_everything


@login_required
def home(request):
    """Send each role to its home page."""
    user_roles = roles_of(request.user)
    if sees_everything(request.user):
        return redirect("partnerships:dashboard")
    if Role.ANIMATOR in user_roles:
        return redirect("libraries:library_mine")
    if Role.LIBRARIAN in user_roles:
        library = Library.objects.visible_to(request.user).order_by("pk").first()
        if library is None:
            raise Http404
        return redirect("libraries:library_detail", pk=library.pk)
    raise PermissionDenied


@never_cache
@require_GET
def healthz(request):
    """`ok` when the database answers, 503 otherwise. No login, no session."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico by themselves (on a photo or a PDF opened alone, where no
    page links the icon): send them to the site's icon instead of a 404."""
    return redirect(static("favicon.svg"), permanent=True)
