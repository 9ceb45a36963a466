"""The whole change history of a partnership, for the experts and the coordinator
(the card shows the latest changes; partnerships/history.py reads them)."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from libraries.models import Library
from partnerships import history
from partnerships.models import Partnership, Round
from prb_partnerships.roles import staff_required

PAGE_SIZE = 50


@staff_required
def partnership_history(request, library_pk):
    """Every change of the current-round partnership of library `library_pk` and of its
    records, newest first, with the values before and after: 403 to other roles, 404 for an
    unknown library or one with no partnership in the current round."""
    library = get_object_or_404(Library.objects.visible_to(request.user), pk=library_pk)
    partnership = get_object_or_404(
        Partnership.objects.select_related("round"),
        library=library,
        round=Round.objects.current(timezone.localdate()),
    )
    page = Paginator(history.rows(partnership), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partnerships/partnership_history.html",
        {
            "library": library,
            "partnership": partnership,
            "page": page,
            "entries": history.entries(page.object_list),
        },
    )
