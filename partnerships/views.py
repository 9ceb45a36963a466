
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from animators.models import Animator
from partnerships import calendar_feed, notifications, proposal, services, uploads
from partnerships import dashboard as dashboard_data
from partnerships.access import (
    get_meeting_for_editor,
    get_partnership_for_editor,
    get_partnership_for_expert,
    get_record_for_editor,
)
from partnerships.filters import RoundForm
from partnerships.forms import (
    AgreementForm,
    AssignmentForm,
    JointActionForm,
    KeepsUploadsMixin,
    MeetingForm,
    MilestoneForm,
    NewPartnerFormSet,
    NotificationPreferenceForm,
    PartnerForm,
    submission_token,
)
from partnerships.models import (
    Agreement,
    Assignment,
    JointAction,
    JointActionStatus,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    Milestone,
    NotificationPreference,
    Partner,
    Partnership,
    Round,
    Stage,
)
from partnerships.next_round import partner_initial, with_previous_animator
from partnerships.picture import sector_picture
from partnerships.progress import FACT_STAGES, StageOrderError
from partnerships.uploads import DocumentsField
from prb_partnerships.freshness import Fragment
from prb_partnerships.roles import Role, has_role, staff_required


def _scope(request, is_expert: bool) -> str:
    """Whose partnerships a staff page shows: "mine" (those of the animators the expert
    supervises, her default) or "all" (the coordinator's default; the only one for a
    non-expert); `?scope=` chooses."""
    scope = request.GET.get("scope")
    if not is_expert:
        return "all"
    if scope not in ("mine", "all"):
        return "all" if has_role(request.user, Role.COORDINATOR) else "mine"
    return scope


@staff_required
def dashboard(request):
    """Where the round stands, on any day of it: an expert's own partnerships (`scope=mine`,
    her default) or the whole programme (`scope=all`, the coordinator's)."""
    form = RoundForm(request.GET or None)
    round_, as_of = form.selection()
    is_expert = has_role(request.user, Role.EXPERT)
    scope = _scope(request, is_expert)
    # Its figures are kept under the data version: built only when not kept yet.
    fragment = Fragment(request, "dashboard")
    context = {
        "form": form,
        "round": round_,
        "as_of": as_of,
        "rounds": Round.objects.all(),
        "scope": scope,
        "can_choose_scope": is_expert,
        "fragment": fragment,
    }
    if round_ is not None and not fragment.ready:
        data = dashboard_data.build(
            round_=round_, as_of=as_of, expert=request.user if scope == "mine" else None
        )
        context.update(
            data,
            charts=[
                dashboard_data.burnup_chart(data["burnup"], round_, as_of, variant)
                for variant in ("wide", "phone")
            ],
            # "?voivodeship=<TERYT code>": the sectors joining that voivodeship's partnerships.
            sector_picture=sector_picture(
                data, as_of=as_of, code=request.GET.get("voivodeship"), scope=scope
            ),
        )
    return render(request, "partnerships/dashboard.html", context)


def _animators_with_load(round_):
    """The active animators (their accounts too) with their `load` in `round_`, voivodeships
    and supervising expert."""
    return (
        Animator.objects.filter(is_active=True, user__is_active=True)
        .with_load(round_)
        .select_related("user", "expert")
        .prefetch_related("voivodeships")
    )


def _candidates(animators) -> list:
    """`animators` (from `_animators_with_load`) as the proposal's candidates."""
    return [
        proposal.Candidate(
            animator=a,
            voivodeships=frozenset(v.code for v in a.voivodeships.all()),
            load=a.load,
            capacity=a.capacity,
        )
        for a in animators
    ]


def _unassigned(user, round_):
    # With the previous round's animator of each, whom the proposal prefers.
    return with_previous_animator(
        Partnership.objects.visible_to(user)
        .filter(round=round_, withdrawn_on__isnull=True)
        # An animator whose account was deactivated (or whose data was removed) no longer
        # supports anyone: their partnerships wait for someone new.
        .exclude(
            Exists(
                Assignment.objects.active().filter(
                    partnership=OuterRef("pk"),
                    animator__is_active=True,
                    animator__user__is_active=True,
                )
            )
        )
        .select_related("library__voivodeship")
        .order_by("library__voivodeship__name", "library__name")
    )


@staff_required
def assignment_board(request):
    """Who supports whom: the partnerships with no animator, the animators with their load and
    libraries (each with "move", the reassignment form, which comes back here), and a proposal
    for the unassigned that the expert can accept in whole or in part.

    An expert's board opens on the animators she supervises (`scope=mine`, as the dashboard
    does); `scope=all` shows every animator, the coordinator's default. The partnerships
    without an animator are listed in both scopes, and the proposal draws on every animator."""
    round_, _as_of = RoundForm(request.GET or None).selection()
    # Kept under the data version, except the proposal (a form, with its CSRF token).
    fragment = Fragment(request, "assignment_board", keep=not request.GET.get("propose"))
    if round_ is None or fragment.ready:
        return render(
            request,
            "partnerships/assignment_board.html",
            {"round": round_, "fragment": fragment},
        )
    is_expert = has_role(request.user, Role.EXPERT)
    scope = _scope(request, is_expert)
    unassigned = list(_unassigned(request.user, round_))
    everyone = list(
        _animators_with_load(round_).prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.active()
                .filter(partnership__round=round_)
                .select_related("partnership__library")
                .order_by("partnership__library__name", "pk"),
                to_attr="round_assignments",
            )
        )
    )
    # Every animator is read in the same queries (the proposal needs them all); the scope
    # only chooses whom the list shows.
    animators = (
        [a for a in everyone if a.expert_id == request.user.pk] if scope == "mine" else everyone
    )
    proposals = None
    if request.GET.get("propose"):
        proposals = proposal.propose(unassigned, _candidates(everyone))
    return render(
        request,
        "partnerships/assignment_board.html",
        {
            "round": round_,
            "unassigned": unassigned,
            "animators": animators,
            "animators_total": len(everyone),
            "proposals": proposals,
            "scope": scope,
            "can_choose_scope": is_expert,
            "fragment": fragment,
        },
    )


@staff_required
@require_POST
def assignment_accept(request):
    """Accept the ticked lines of a proposal: `choice` = "<partnership id>:<animator id>"."""
    pairs = []
    for value in request.POST.getlist("choice"):
        partnership_id, _sep, animator_id = value.partition(":")
        if not (partnership_id.isdigit() and animator_id.isdigit()):
            messages.error(request, _("The proposal could not be read; nothing was saved."))
            return redirect("partnerships:assignment_board")
        pairs.append((int(partnership_id), int(animator_id)))
    if not pairs:
        messages.warning(request, _("No line of the proposal was ticked; nothing was saved."))
        return redirect(f"{reverse('partnerships:assignment_board')}?propose=1")
    partnerships = (
        Partnership.objects.visible_to(request.user)
        .select_related("library")
        .in_bulk([p for p, _a in pairs])
    )
    animators = (
        Animator.objects.filter(is_active=True)
        .select_related("user")
        .in_bulk([a for _p, a in pairs])
    )
    if any(p not in partnerships or a not in animators for p, a in pairs):
        raise Http404
    try:
        created = services.assignments_accept(
            choices=[(partnerships[p], animators[a]) for p, a in pairs],
            by=request.user,
            reason=_("Proposal accepted"),
        )
    except services.AssignmentError as error:
        messages.error(request, str(error))
        return redirect(f"{reverse('partnerships:assignment_board')}?propose=1")
    messages.success(
        request,
        ngettext(
            "%(count)d library now has an animator.",
            "%(count)d libraries now have an animator.",
            len(created),
        )
        % {"count": len(created)},
    )
    return redirect("partnerships:assignment_board")


@staff_required
def assignment_create(request, partnership_pk):
    """Assign or reassign the animator of one partnership, for good or as a temporary
    replacement; the reason is required. Opened from the assignment board (`?from=board`) it
    returns there after saving, else to the library's card."""
    partnership = get_partnership_for_expert(request.user, partnership_pk)
    current = (
        Assignment.objects.active()
        .filter(partnership=partnership)
        .select_related("animator__user")
        .first()
    )
    from_board = request.GET.get("from") == "board"
    back_url = (
        reverse("partnerships:assignment_board")
        if from_board
        else reverse("libraries:library_detail", args=[partnership.library_id])
    )
    animators = list(_animators_with_load(partnership.round))
    form = AssignmentForm(
        request.POST or None,
        initial={"current": current.pk if current else None},
        partnership=partnership,
        current=current,
        candidates=_candidates(animators),
    )
    if request.method == "POST" and form.is_valid():
        animator = form.cleaned_data["animator"]
        until = form.cleaned_data.get("until")
        try:
            services.assignment_create(
                partnership=partnership,
                animator=animator,
                by=request.user,
                reason=form.cleaned_data["reason"],
                expected_current=form.cleaned_data["current"],
                until=until,
            )
        except services.AssignmentError as error:
            form.add_error(None, str(error))
        else:
            _assigned_messages(request, partnership, animator, until, current)
            return redirect(back_url)
    history = (
        Assignment.objects.filter(partnership=partnership)
        .select_related("animator__user", "assigned_by", "ended_by")
        .order_by("-assigned_at", "-pk")
    )
    current_load = next(
        (a for a in animators if current and a.pk == current.animator_id), None
    )
    return render(
        request,
        "partnerships/assignment_form.html",
        {
            "partnership": partnership,
            "current": current,
            "current_load": current_load,
            "form": form,
            "history": history,
            "back_url": back_url,
        },
        status=400 if request.method == "POST" else 200,
    )


def _assigned_messages(request, partnership, animator, until, previous):
    """What the expert is told after an assignment: who supports the library (until when, and
    who comes back then), and a warning when the animator goes over their capacity. The
    library's name, in quotes, links to its card."""
    library = format_html(
        '<a href="{}">{}</a>',
        reverse("libraries:library_detail", args=[partnership.library_id]),
        partnership.library.name,
    )
    if until is not None:
        messages.success(
            request,
            format_html(
                _(
                    "{animator} now supports the library “{library}” (standing in until "
                    "{until}); then {previous} supports it again."
                ),
                animator=animator,
                library=library,
                until=date_format(until, "j E Y"),
                previous=previous.animator,
            ),
        )
    else:
        messages.success(
            request,
            format_html(
                _("{animator} now supports the library “{library}”."),
                animator=animator,
                library=library,
            ),
        )
    load = (
        Assignment.objects.active()
        .filter(animator=animator, partnership__round=partnership.round)
        .count()
    )
    if load > animator.capacity:
        messages.warning(
            request,
            ngettext(
                "%(animator)s now has %(load)d libraries, above their capacity of %(capacity)d.",
                "%(animator)s now has %(load)d libraries, above their capacity of %(capacity)d.",
                load,
            )
            % {"animator": animator, "load": load, "capacity": animator.capacity},
        )


# ----- The partnership card's writes: animators assigned to it, experts, the coordinator -----


def _card(partnership, anchor=None):
    """Back to the card; at `anchor` (the id of a record on it) when one is given."""
    url = reverse("libraries:library_detail", kwargs={"pk": partnership.library_id})
    return redirect(f"{url}#{anchor}" if anchor else url)


def _on_the_card(record):
    """(the id of `record` on the card, the words of a link to it): the card's ids are
    meeting-<pk>, partner-<pk>, action-<pk>, stage-<rank> and agreement-heading."""
    if isinstance(record, Meeting):
        return f"meeting-{record.pk}", _("see the meeting of %(day)s") % {
            "day": date_format(record.date, "j E Y")
        }
    if isinstance(record, Partner):
        return f"partner-{record.pk}", _("see %(name)s on the card") % {"name": record.name}
    if isinstance(record, JointAction):
        return f"action-{record.pk}", _("see “%(title)s” on the card") % {"title": record.title}
    if isinstance(record, Milestone):
        stage = Stage(record.stage)
        return f"stage-{stage.rank}", _("see the stage “%(stage)s”") % {"stage": stage.label}
    if isinstance(record, Agreement):
        return "agreement-heading", _("see the agreement")
    return None, None


def _saved(request, partnership, record, text, draft_key):
    """The save is confirmed: the message says what was saved, with a link to it, and the card
    opens at it."""
    anchor, link = _on_the_card(record)
    if anchor:
        text = format_html('{} <a href="#{}">{}</a>', text, anchor, link)
    messages.success(request, text, extra_tags=f"draft:{draft_key}")
    _warn_waiting(request, partnership)
    return _card(partnership, anchor)


def _saved_before(model, token):
    """The record already saved by this form's one-time token, or None."""
    return model.objects.filter(submission_token=token).first() if token is not None else None


def _sent_again(request, partnership, model, draft_key=None, record=None):
    """The same form was sent again (a double tap, a retry, a restored draft) and its record is
    already saved: nothing new is stored; back to the card, at the record when it is known. The
    message also tells the browser to drop its draft of the form."""
    text = {
        Meeting: _("This meeting was already saved; sending the form again added nothing."),
        Partner: _("This partner was already saved; sending the form again added nothing."),
        JointAction: _(
            "This joint action was already saved; sending the form again added nothing."
        ),
    }[model]
    messages.success(request, text, extra_tags=f"draft:{draft_key}" if draft_key else "")
    return _card(partnership, _on_the_card(record)[0] if record is not None else None)


def _pending_uploads(request, form):
    """The files kept from the form's previous try that it lists again (uploads.py, "Pending
    uploads"): those ticked "remove" are deleted now, the others given to the form."""
    field = form.upload_field
    listed = uploads.pending_of(
        user=request.user, token=form.pending_token(), ids=form.data.getlist(f"{field}-pending")
    ) if request.method == "POST" else []
    removed = set(form.data.getlist(f"{field}-pending-remove"))
    form.set_pending([p for p in listed if str(p.pk) not in removed])
    uploads.pending_discard([p for p in listed if str(p.pk) in removed])


def _keep_chosen_files(request, form):
    """A form sent back with errors keeps the files chosen in it (checked, for this person and
    this form's token), so that the corrected form saves them; a new scan of a one-file field
    replaces the one kept before."""
    chosen = form.chosen_files()
    if not chosen:
        return
    kept = uploads.pending_keep(user=request.user, token=form.pending_token(), files=chosen)
    if kept and not isinstance(form.fields[form.upload_field], DocumentsField):
        uploads.pending_discard(form.pending)
        form.set_pending(kept)
    else:
        form.set_pending([*form.pending, *kept])


def _with_pending(form, save):
    """Run `save(pending files as uploads)`; once it is done, the pending uploads are used up."""
    files = [uploads.pending_as_upload(p) for p in form.pending]
    try:
        result = save(files)
    finally:
        for file in files:
            file.close()
    uploads.pending_discard(form.pending)
    return result


def _meeting_form_page(request, partnership, meeting=None):
    draft_key = f"meeting-{partnership.pk}-{meeting.pk if meeting else 'new'}"
    # "?kind=partnership": the card's "Log the first partnership meeting" chooses the kind.
    kind = request.GET.get("kind") if meeting is None else None
    form = MeetingForm(
        request.POST or None, request.FILES or None, instance=meeting, partnership=partnership,
        initial={"kind": kind} if kind in MeetingKind.values else None,
    )
    new_partners = NewPartnerFormSet(
        request.POST or None, prefix="new", existing=partnership.partners.all()
    )
    token = submission_token(form) if meeting is None else None
    if earlier := _saved_before(Meeting, token):
        return _sent_again(request, partnership, Meeting, draft_key, earlier)
    _pending_uploads(request, form)
    if request.method == "POST" and form.is_valid() and new_partners.is_valid():
        arguments = {
            "by": request.user,
            "fields": form.cleaned_data,
            "partners_present": form.cleaned_data["partners_present"],
            "new_partners": new_partners.partners(),
        }
        try:
            if meeting is None:
                saved = _with_pending(form, lambda kept: services.meeting_create(
                    partnership=partnership, submission_token=token,
                    attachments=[*form.cleaned_data["attachments"], *kept], **arguments
                ))
                text = _("The meeting is saved.")
            else:
                saved = _with_pending(form, lambda kept: services.meeting_update(
                    meeting=meeting, attachments=[*form.cleaned_data["attachments"], *kept],
                    **arguments
                ))
                text = _("The meeting is corrected.")
        except StageOrderError as error:
            form.add_error(None, _("Nothing was saved: %(reason)s") % {"reason": error})
        except services.AlreadySaved as error:
            return _sent_again(request, partnership, Meeting, draft_key, error.record)
        else:
            return _saved(request, partnership, saved, text, draft_key)
    if request.method == "POST":
        _keep_chosen_files(request, form)
        new_partners = new_partners.with_blank(request.POST)
    return render(
        request,
        "partnerships/meeting_form.html",
        {
            "partnership": partnership,
            "meeting": meeting,
            "form": form,
            "new_partners": new_partners,
            # The quick-add of new partners opens by itself only when something is in it.
            "new_partners_open": new_partners.is_bound and (
                any(f.has_changed() for f in new_partners) or not new_partners.is_valid()
            ),
            "draft_key": draft_key,
            # A new meeting's empty form: its fields kept under the data version (the hidden
            # fields, the tokens of this answer, are drawn each time).
            "kept_fields": Fragment(
                request, "meeting_form", partnership.pk,
                keep=meeting is None and request.method == "GET",
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def meeting_create(request, library_pk):
    """Log a meeting: the two-minute form for an animator on a phone."""
    return _meeting_form_page(request, get_partnership_for_editor(request.user, library_pk))


@login_required
def meeting_update(request, pk):
    meeting = get_meeting_for_editor(request.user, pk)
    return _meeting_form_page(request, meeting.partnership, meeting)


@login_required
def meeting_delete(request, pk):
    meeting = get_meeting_for_editor(request.user, pk)
    if request.method == "POST":
        try:
            services.meeting_delete(meeting=meeting, by=request.user)
        except StageOrderError as error:
            messages.error(
                request, _("The meeting was not deleted: %(reason)s") % {"reason": error}
            )
        else:
            messages.success(request, _("The meeting is deleted."))
        return _card(meeting.partnership)
    return render(request, "partnerships/meeting_confirm_delete.html", {"meeting": meeting})


def _warn_waiting(request, partnership):
    """After a fact is saved: say which stage it cannot reach yet, and what is missing."""
    _milestones, _planned, waiting = services.milestones_plan(partnership)
    for stage, missing in waiting.items():
        messages.warning(
            request,
            _(
                "The stage “%(stage)s” is not reached yet: the stage “%(missing)s” must be "
                "recorded first, on a day not after it."
            )
            % {"stage": stage.label, "missing": missing.label},
        )


def _simple_form_page(request, partnership, form, save, template, success, draft_key,
                      **context):
    """Access checked by the caller → validate → service → message → back to the card.
    A change that would put the stages out of order is refused next to the form. What is
    typed is kept in the browser under `draft_key` until the save is confirmed."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form)
        except StageOrderError as error:
            form.add_error(None, _("Nothing was saved: %(reason)s") % {"reason": error})
        except services.AlreadySaved as error:
            return _sent_again(request, partnership, type(error.record), draft_key, error.record)
        else:
            return _saved(request, partnership, saved, success, draft_key)
    if request.method == "POST" and isinstance(form, KeepsUploadsMixin):
        _keep_chosen_files(request, form)
    return render(
        request,
        template,
        {"partnership": partnership, "form": form, "draft_key": draft_key, **context},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def partner_create(request, library_pk):
    partnership = get_partnership_for_editor(request.user, library_pk)
    # "?from_previous=<partner id>": a known partner of the previous round, invited again.
    initial = partner_initial(partnership, request.GET.get("from_previous"))
    form = PartnerForm(request.POST or None, partnership=partnership, initial=initial)
    token = submission_token(form)
    draft_key = f"partner-{partnership.pk}-new"
    if earlier := _saved_before(Partner, token):
        return _sent_again(request, partnership, Partner, draft_key, earlier)
    return _simple_form_page(
        request,
        partnership,
        form,
        lambda f: services.partner_create(partner=f.save(commit=False), submission_token=token),
        "partnerships/partner_form.html",
        _("The partner is added."),
        draft_key,
    )


@login_required
def partner_update(request, pk):
    partner = get_record_for_editor(request.user, Partner, pk)
    form = PartnerForm(request.POST or None, instance=partner, partnership=partner.partnership)
    return _simple_form_page(
        request,
        partner.partnership,
        form,
        lambda f: f.save(),
        "partnerships/partner_form.html",
        _("The partner is updated."),
        f"partner-{partner.partnership_id}-{partner.pk}",
        partner=partner,
    )


@login_required
def milestone_create(request, library_pk):
    """Record the next stage reached; when the next stage needs a fact (a partnership meeting,
    the agreement, a joint action carried out) the page sends there instead."""
    partnership = get_partnership_for_editor(request.user, library_pk)
    try:
        _milestones, planned, _waiting = services.milestones_plan(partnership)
    except StageOrderError as error:  # stages recorded out of order before the rule held
        messages.error(
            request,
            _("The stages of this partnership need correcting by a CAL expert: %(reason)s")
            % {"reason": error},
        )
        return _card(partnership)
    next_stage = Stage.from_rank(len(planned) + 1) if len(planned) < len(Stage) else None
    form = MilestoneForm(request.POST or None, partnership=partnership, planned=planned)
    return _simple_form_page(
        request,
        partnership,
        form,
        lambda f: services.milestone_record(
            partnership=partnership, by=request.user, **f.cleaned_data
        ),
        "partnerships/milestone_form.html",
        _("The stage is recorded."),
        f"milestone-{partnership.pk}",
        next_stage=next_stage,
        needs_fact=next_stage in FACT_STAGES,
    )


@staff_required
def milestone_delete(request, pk):
    """Correct a mistake: an expert removes a stage recorded by hand, with every later stage,
    after a confirmation that lists them."""
    milestone = get_record_for_editor(request.user, Milestone, pk)
    removal = services.milestone_removal(milestone)
    if request.method == "POST":
        try:
            removed = services.milestone_remove(milestone=milestone, by=request.user)
        except StageOrderError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d stage is removed.", "%(count)d stages are removed.", len(removed)
                )
                % {"count": len(removed)},
            )
        return _card(milestone.partnership)
    return render(
        request,
        "partnerships/milestone_confirm_delete.html",
        {
            "milestone": milestone,
            "partnership": milestone.partnership,
            "removal": removal,
            "fact_stage": Stage(milestone.stage) in FACT_STAGES,
        },
    )


@login_required
def agreement_edit(request, library_pk):
    partnership = get_partnership_for_editor(request.user, library_pk)
    agreement = Agreement.objects.filter(partnership=partnership).first()
    initial = {}
    if agreement is not None:
        initial = {
            "kind": agreement.kind,
            "signed_on": agreement.signed_on,
            "signatories": list(agreement.signatories.all()),
            "signatories_note": agreement.signatories_note,
        }
    form = AgreementForm(
        request.POST or None, request.FILES or None, initial=initial, partnership=partnership
    )
    _pending_uploads(request, form)

    def save(f):
        if f.cleaned_data["document"]:  # a new scan replaces the one kept from before
            uploads.pending_discard(f.pending)
            f.set_pending([])
        return _with_pending(f, lambda kept: services.agreement_record(
            partnership=partnership,
            by=request.user,
            fields=f.cleaned_data,
            signatories=f.cleaned_data["signatories"],
            document=f.cleaned_data["document"] or (kept[0] if kept else None),
        ))

    return _simple_form_page(
        request,
        partnership,
        form,
        save,
        "partnerships/agreement_form.html",
        _("The agreement is recorded."),
        f"agreement-{partnership.pk}",
        agreement=agreement,
    )


@login_required
def joint_action_create(request, library_pk):
    partnership = get_partnership_for_editor(request.user, library_pk)
    carried_out = request.GET.get("status") == JointActionStatus.DONE
    initial = {"status": JointActionStatus.DONE, "done_on": timezone.localdate()}
    form = JointActionForm(
        request.POST or None, partnership=partnership, initial=initial if carried_out else None
    )
    token = submission_token(form)
    draft_key = f"action-{partnership.pk}-new"
    if earlier := _saved_before(JointAction, token):
        return _sent_again(request, partnership, JointAction, draft_key, earlier)
    return _simple_form_page(
        request,
        partnership,
        form,
        lambda f: services.joint_action_save(
            action=f.save(),
            by=request.user,
            partners=f.cleaned_data["partners"],
            submission_token=token,
        ),
        "partnerships/joint_action_form.html",
        _("The joint action is saved."),
        draft_key,
        carried_out=carried_out,
    )


@login_required
def joint_action_update(request, pk):
    action = get_record_for_editor(request.user, JointAction, pk)
    # "?status=done": the card's next step marks this planned action as carried out.
    carried_out = request.GET.get("status") == JointActionStatus.DONE
    form = JointActionForm(
        request.POST or None,
        instance=action,
        partnership=action.partnership,
        initial={"status": JointActionStatus.DONE} if carried_out else None,
    )
    return _simple_form_page(
        request,
        action.partnership,
        form,
        lambda f: services.joint_action_save(
            action=f.save(), by=request.user, partners=f.cleaned_data["partners"]
        ),
        "partnerships/joint_action_form.html",
        _("The joint action is saved."),
        f"action-{action.partnership_id}-{action.pk}",
        action=action,
        carried_out=carried_out,
    )


def _private_file(field, content_type, name):
    """Serve an uploaded file from the private storage, after the caller's access check:
    with its checked type — photos shown, anything else downloaded, any type not accepted on
    upload as bytes to download — never sniffed, never run as a page, never cached."""
    if content_type not in uploads.EXTENSIONS:
        content_type = "application/octet-stream"
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=content_type not in uploads.INLINE_TYPES,
        filename=f"{name}.{uploads.extension_of(content_type)}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def attachment_download(request, pk):
    """A meeting's attachment, for those who may see the meeting; 404 to anyone else. It is
    named as uploaded, with the extension of its checked type."""
    attachment = get_object_or_404(
        MeetingAttachment.objects.filter(meeting__in=Meeting.objects.visible_to(request.user)),
        pk=pk,
    )
    stem = attachment.original_name.rsplit(".", 1)[0] or "plik"
    return _private_file(attachment.file, attachment.content_type, stem)


@login_required
@require_safe
def agreement_document(request, pk):
    """The scan of an agreement, for those who may see the partnership; 404 to anyone else."""
    agreement = get_object_or_404(
        Agreement.objects.filter(
            partnership__in=Partnership.objects.visible_to(request.user)
        ).exclude(document=""),
        pk=pk,
    )
    return _private_file(
        agreement.document,
        agreement.document_type,
        f"porozumienie-{agreement.partnership.library_id}",
    )


@login_required
def notification_settings(request):
    """Anyone signed in switches the automatic e-mails of their roles on or off: animators
    their reminders, experts their weekly digest; the others are told that they get none."""
    preference = NotificationPreference.objects.for_user(request.user)
    form = NotificationPreferenceForm(
        request.POST or None,
        preference=preference,
        options=notifications.notification_options(request.user),
    )
    if request.method == "POST" and form.fields and form.is_valid():
        notifications.notification_preference_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("partnerships:notification_settings")
    return render(
        request,
        "partnerships/notification_preference_form.html",
        {"form": form, **calendar_feed.notification_context(request.user)},
        status=400 if request.method == "POST" else 200,
    )
