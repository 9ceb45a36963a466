"""The coordinator's page that creates the next round from the current one: `/rounds/next/`.

Three steps in one address (`?round=` names another round to build on than the current
one): the form opens with the proposal (`next_round.round_propose_next`:
the dates a year later, the libraries carried over, all ticked), a check of what will be
created (the form sent without `confirm`: the same fields, hidden, and a summary), then the
creation (`confirm`), after which the page says which round was built on the current one, with
the way to its assignment board. `?start=` proposes the dates from another start.
"""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from partnerships import next_round
from partnerships.forms import DATE_INPUT
from partnerships.models import STAGE_ORDER, Round
from partnerships.services import AlreadySaved
from prb_partnerships.roles import Role, role_required


class StartForm(forms.Form):
    """Another start for the proposal (a GET form above the page's form)."""

    start = forms.DateField(
        label=gettext_lazy("Start of the next round"),
        widget=DATE_INPUT,
        help_text=gettext_lazy("All the dates below are laid out again from this day."),
    )


class GroupedCheckboxes(forms.CheckboxSelectMultiple):
    """Check boxes in a fieldset per group of choices (a voivodeship), its legend the group's
    name and size; the first box's id is the field's `<id>_0`, as the error summary expects."""

    def render(self, name, value, attrs=None, renderer=None):
        base = self.build_attrs(self.attrs, attrs)["id"]
        chosen = {str(v) for v in value or ()}
        groups, index = [], 0
        for group, options in self.choices:
            boxes = []
            for option_value, label in options:
                box_id = f"{base}_{index}"
                index += 1
                boxes.append(format_html(
                    '<li><label for="{}"><input type="checkbox" name="{}" value="{}" id="{}"{}>'
                    " {}</label></li>",
                    box_id, name, option_value, box_id,
                    mark_safe(" checked") if str(option_value) in chosen else "", label,
                ))
            groups.append(format_html(
                '<fieldset class="next-round__group"><legend>{} <span class="muted">({})'
                '</span></legend><ul class="plain">{}</ul></fieldset>',
                group, len(options), mark_safe("".join(boxes)),
            ))
        return format_html(
            '<div id="{}" class="next-round__libraries">{}</div>', base, mark_safe("".join(groups))
        )


class NextRoundForm(forms.Form):
    """The next round's name, dates and the libraries carried over; only validates (the rules
    are `next_round.round_problems`, said for people)."""

    name = forms.CharField(label=gettext_lazy("Name of the round"), max_length=100)
    start = forms.DateField(label=gettext_lazy("Start"), widget=DATE_INPUT)
    end = forms.DateField(label=gettext_lazy("End"), widget=DATE_INPUT)
    libraries = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Libraries carried over"),
        coerce=int,
        widget=GroupedCheckboxes,
        error_messages={
            "required": gettext_lazy("Tick at least one library to carry over."),
            "invalid_choice": gettext_lazy("Choose among the libraries listed."),
        },
    )

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, initial={
            **proposal.fields,
            "libraries": [p.library_id for p in proposal.carried_over],
        }, **kwargs)
        self.proposal = proposal
        for stage in STAGE_ORDER:
            self.fields[f"deadline_{stage.value}"] = forms.DateField(
                label=_("Deadline of stage %(rank)d: %(stage)s")
                % {"rank": stage.rank, "stage": stage.label},
                widget=DATE_INPUT,
            )
        # The libraries after the deadlines, grouped by voivodeship.
        self.fields["libraries"] = self.fields.pop("libraries")
        groups = {}
        for partnership in proposal.carried_over:
            library = partnership.library
            groups.setdefault(library.voivodeship.name, []).append((
                library.pk,
                _("%(library)s (stage %(rank)d of %(count)d)")
                % {"library": library.name, "rank": partnership.stage_rank,
                   "count": len(STAGE_ORDER)},
            ))
        self.fields["libraries"].choices = list(groups.items())
        self.fields["libraries"].help_text = ngettext(
            "%(count)d library of %(round)s continues: all are ticked; untick those that do "
            "not.",
            "%(count)d libraries of %(round)s continue: all are ticked; untick those that do "
            "not.",
            len(proposal.carried_over),
        ) % {"count": len(proposal.carried_over), "round": escape(proposal.previous_round.name)}

    def clean(self):
        cleaned = super().clean()
        for name, message in next_round.round_problems(
            cleaned, previous_round=self.proposal.previous_round
        ):
            self.add_error(name, message)
        return cleaned

    def round_fields(self):
        return {name: self.cleaned_data[name] for name in next_round.ROUND_FIELDS}

    def summary(self):
        """What the check step shows: the deadlines, the libraries ticked and those left out."""
        ticked = set(self.cleaned_data["libraries"])
        return {
            "deadlines": [
                (stage, self.cleaned_data[f"deadline_{stage.value}"]) for stage in STAGE_ORDER
            ],
            "ticked": len(ticked),
            "left_out": [
                p.library for p in self.proposal.carried_over if p.library_id not in ticked
            ],
        }


def _board_url(round_) -> str:
    return f"{reverse('partnerships:assignment_board')}?round={round_.pk}"


def _built(request, previous_round, built):
    """The page once a round is built on the current one: which, and where to go on."""
    return render(
        request,
        "partnerships/round_next.html",
        {
            "previous_round": previous_round,
            "built": built,
            "built_count": built.partnerships.count(),
            "board_url": _board_url(built),
        },
    )


def _round_built_on(request):
    """The round the page builds on: the current one, or `round` (of the query, or of the form
    sent: a form sent again after its round was created, which made that one current, still
    names the round it was built on); 404 for an unknown one."""
    value = (request.POST if request.method == "POST" else request.GET).get("round", "")
    if not value:
        return Round.objects.current()
    if not value.isdigit():
        raise Http404
    return get_object_or_404(Round, pk=int(value))


def _page_url(round_) -> str:
    return f"{reverse('partnerships:round_next')}?round={round_.pk}"


@role_required(Role.COORDINATOR)
def round_next(request):
    """Create the next round from the current one (the coordinator only)."""
    previous_round = _round_built_on(request)
    if previous_round is None:
        return render(request, "partnerships/round_next.html", {"previous_round": None})
    built = next_round.next_round_of(previous_round)
    if built is not None:
        if request.method == "POST":  # the form sent again after the round was created
            return _sent_again(request, previous_round, built)
        return _built(request, previous_round, built)
    # Its own ids: the form below has a field `start` too.
    start_form = StartForm(request.GET if "start" in request.GET else None, auto_id="id_from_%s")
    start = start_form.cleaned_data["start"] if start_form.is_valid() else None
    proposal = next_round.round_propose_next(previous_round, start=start)
    start_form.fields["start"].initial = proposal.fields["start"]
    form = NextRoundForm(
        request.POST if request.method == "POST" else None, proposal=proposal
    )
    checking = False
    if request.method == "POST" and form.is_valid() and "edit" not in request.POST:
        if "confirm" not in request.POST:
            checking = True
        else:
            try:
                created = next_round.round_create_next(
                    previous_round=previous_round,
                    fields=form.round_fields(),
                    libraries=form.cleaned_data["libraries"],
                    by=request.user,
                )
            except AlreadySaved as error:
                return _sent_again(request, previous_round, error.record)
            except next_round.NextRoundError as error:
                for name, message in error.problems:
                    form.add_error(name, message)
            else:
                return _created(
                    request, previous_round, created, len(form.cleaned_data["libraries"])
                )
    return render(
        request,
        "partnerships/round_next.html",
        {
            "previous_round": previous_round,
            "proposal": proposal,
            "form": form,
            "start_form": start_form,
            "checking": checking,
            "summary": form.summary() if checking else None,
            "deadline_fields": [form[f"deadline_{s.value}"] for s in STAGE_ORDER],
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


def _sent_again(request, previous_round, built):
    messages.info(
        request,
        _("“%(round)s” was already created; sending the form again added nothing.")
        % {"round": built.name},
    )
    return redirect(_page_url(previous_round))


def _created(request, previous_round, created, count):
    """Said after the creation, with the way to the new round's assignment board."""
    text = ngettext(
        "“%(round)s” is created with %(count)d library (%(start)s – %(end)s).",
        "“%(round)s” is created with %(count)d libraries (%(start)s – %(end)s).",
        count,
    ) % {
        "round": created.name,
        "count": count,
        "start": date_format(created.start, "j E Y"),
        "end": date_format(created.end, "j E Y"),
    }
    messages.success(
        request,
        format_html(
            '{} <a href="{}">{}</a>',
            text,
            _board_url(created),
            _("Assign the animators on its assignment board."),
        ),
    )
    return redirect(_page_url(previous_round))
