"""People of the programme: accounts by invitation, deactivation that keeps their work, and
the removal of the personal data of a person who has left (and of a partner's contact).

Every change checks who may make it (animators/access.py) and records an `AccountEvent` —
who invited, deactivated, reactivated or anonymised whom — in the same transaction. `by=None`
is the programme itself (a command, a data import without a user): it is not checked."""

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from animators.access import (
    ANONYMISED_DOMAIN,
    Action,
    PeopleRules,
    active_coordinator_pks,
    role_of,
)
from animators.models import AccountEvent, AccountEventKind, Animator
from partnerships.models import Assignment, Partner
from prb_partnerships import freshness
from prb_partnerships.mail import send_mail_template
from prb_partnerships.roles import Role

User = get_user_model()

# What replaces a removed name: stored data, in the programme's language whoever removes it.
ANONYMOUS_NAME = "Osoba usunięta"
# The change reason on the history row of a removal.
ANONYMISED = "anonymised"


class PersonError(Exception):
    """A person who cannot be created or changed; the message is shown to the user."""


@transaction.atomic
def person_create(
    *,
    email,
    first_name,
    last_name,
    role,
    by,
    library=None,
    phone="",
    voivodeships=(),
    expert=None,
    capacity=5,
    invite=True,
):
    """Create the account of an animator, an expert, a librarian (tied to their library) or a
    coordinator, without a password, and send the invitation to set one once the transaction
    commits (unless `invite` is false: imported accounts are invited from the people page).
    Raises PermissionDenied when `by` may not create an account of `role`."""
    if by is not None and (refusal := PeopleRules(by).creation_refusal(role)):
        raise PermissionDenied(refusal)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise PersonError(
            _("An account with the e-mail %(email)s already exists.") % {"email": email}
        )
    user = User(
        username=email,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=role in (Role.COORDINATOR, Role.EXPERT),
    )
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=role))
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if role == Role.LIBRARIAN:
        library.librarians.add(user)
    elif role == Role.ANIMATOR:
        animator = Animator.objects.create(user=user, phone=phone, expert=expert, capacity=capacity)
        animator.voivodeships.set(voivodeships)
    if invite:
        AccountEvent.objects.create(user=user, kind=AccountEventKind.INVITED, by=by)
        transaction.on_commit(lambda: _invitation_mail(user=user, by=by))
    return user


@transaction.atomic
def animator_save_imported(*, animator, voivodeships=None, by) -> Animator:
    """Save an animator read from a spreadsheet (see animators/resources.py): a new one gets an
    account without a password and without an invitation (invitations are sent from the people
    page); an existing one is updated, with their voivodeships when `voivodeships` is given."""
    if animator.pk is None:
        user = person_create(
            email=animator.user.email,
            first_name=animator.user.first_name,
            last_name=animator.user.last_name,
            role=Role.ANIMATOR,
            by=by,
            phone=animator.phone,
            voivodeships=voivodeships or (),
            expert=animator.expert,
            capacity=animator.capacity,
            invite=False,
        )
        return user.animator
    animator.user.save(update_fields=["first_name", "last_name", "email"])
    animator.save()
    if voivodeships is not None:
        animator.voivodeships.set(voivodeships)
    return animator


def librarian_accounts_create_imported(*, emails, by) -> list:
    """The accounts of librarians read from a spreadsheet (library_save_imported), as
    `person_create` makes them — a librarian's role, a verified e-mail address, no password,
    no invitation — for several e-mails at once, in four queries: an import of thousands of
    libraries creates thousands of accounts. The caller has checked that no account has any
    of these e-mails (lower case) and makes them the library's librarians. Raises
    PermissionDenied when `by` may not create librarians' accounts."""
    if by is not None and (refusal := PeopleRules(by).creation_refusal(Role.LIBRARIAN)):
        raise PermissionDenied(refusal)
    users = []
    for email in emails:
        user = User(username=email, email=email, first_name="", last_name="")
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    freshness.bump()  # bulk_create sends no signals
    group = Group.objects.get(name=Role.LIBRARIAN)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user=user, group=group) for user in users]
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users]
    )
    return users


def invitation_link(user) -> str:
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def _invitation_mail(*, user, by) -> None:
    """E-mail `user`, in Polish, a link to set their password (valid for a limited time)."""
    send_mail_template(
        template="invitation",
        recipient=user,
        context={
            "link": invitation_link(user),
            "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
            "sender": by,
        },
    )


def _lock_and_check(by, action, user) -> None:
    """Hold `user`'s row (and, for a coordinator, every active coordinator's) until the end of
    the transaction and read their `is_active` and e-mail again — two people changing one
    account, or two coordinators deactivating each other, wait for each other and see what the
    other did — then raise PermissionDenied when `by` may not do `action` to `user`."""
    coordinator_pks = (
        active_coordinator_pks(lock=True) if role_of(user) == Role.COORDINATOR else None
    )
    user.is_active, user.email = (
        User.objects.select_for_update().values_list("is_active", "email").get(pk=user.pk)
    )
    if by is None:
        return
    if refusal := PeopleRules(by, coordinator_pks=coordinator_pks).refusal(action, user):
        raise PermissionDenied(refusal)


def _set_active(user, active: bool) -> None:
    """Turn `user`'s account (and their animator's profile, if any) on or off, object by object
    so that the history of both records the change."""
    user.is_active = active
    user.save(update_fields=["is_active"])
    animator = Animator.objects.filter(user=user).first()
    if animator is not None and animator.is_active != active:
        animator.is_active = active
        animator.save(update_fields=["is_active"])


@transaction.atomic
def invitation_send(*, user, by) -> None:
    """Send `user` a new invitation: a new link to set their password; the old one stops
    working once a password is set. Recorded as an `AccountEvent`; when sending fails, the
    record rolls back. Raises PermissionDenied when `by` may not invite `user`."""
    _lock_and_check(by, Action.INVITE, user)
    AccountEvent.objects.create(user=user, kind=AccountEventKind.INVITED, by=by)
    _invitation_mail(user=user, by=by)


@transaction.atomic
def person_deactivate(*, user, by) -> list:
    """Deactivate a person: they can no longer sign in; everything they logged stays.
    Returns their active assignments, to be reassigned (they are not ended here).
    Raises PermissionDenied when `by` may not deactivate `user` (see animators/access.py)."""
    _lock_and_check(by, Action.DEACTIVATE, user)
    _set_active(user, False)
    AccountEvent.objects.create(user=user, kind=AccountEventKind.DEACTIVATED, by=by)
    return list(
        Assignment.objects.active()
        .filter(animator__user=user)
        .select_related("partnership__library", "partnership__round")
    )


@transaction.atomic
def person_reactivate(*, user, by) -> None:
    """Let a deactivated person sign in again. Raises PermissionDenied when `by` may not."""
    _lock_and_check(by, Action.REACTIVATE, user)
    _set_active(user, True)
    AccountEvent.objects.create(user=user, kind=AccountEventKind.REACTIVATED, by=by)


@transaction.atomic
def person_anonymise(*, user, by) -> list:
    """Remove the personal data of a person who has left: their names become "Osoba usunięta
    <id>", their e-mail and login `usunieta-<id>@invalid` (their allauth addresses are
    deleted), their animator's phone is emptied — in the change history too — and their
    account is closed (no password, inactive). Everything they logged, their assignments and
    the programme's figures stay, now under the new name. Returns their active assignments, to
    be reassigned. Raises PermissionDenied when `by` may not (see animators/access.py)."""
    _lock_and_check(by, Action.ANONYMISE, user)
    user.first_name = ANONYMOUS_NAME
    user.last_name = str(user.pk)
    user.email = user.username = f"usunieta-{user.pk}@{ANONYMISED_DOMAIN}"
    user.is_active = False
    user.set_unusable_password()  # also ends their sessions: the session hash changes
    user.save()
    EmailAddress.objects.filter(user=user).delete()
    _forget_in_admin_log(User, user.pk, user.get_full_name())
    animator = Animator.objects.filter(user=user).first()
    if animator is not None:
        animator.phone = ""
        animator.is_active = False
        animator._history_user = by
        animator._change_reason = ANONYMISED
        animator.save(update_fields=["phone", "is_active"])
        # The old versions must not show the phone either (the name lives on the account,
        # which has no history). An update of the history rows themselves, on purpose.
        HistoricalAnimator = Animator.history.model
        HistoricalAnimator.objects.filter(id=animator.pk).update(phone="")
        _forget_in_admin_log(Animator, animator.pk, user.get_full_name())
    AccountEvent.objects.create(user=user, kind=AccountEventKind.ANONYMISED, by=by)
    return list(
        Assignment.objects.active()
        .filter(animator__user=user)
        .select_related("partnership__library", "partnership__round")
    )


@transaction.atomic
def partner_contact_anonymise(*, partner, by) -> None:
    """Remove the personal data of a partner's contact: the contact person becomes "Osoba
    usunięta" (when there was one), the e-mail and phone are emptied, in every old version of
    the partner too; the partner, its meetings and agreements stay. Raises PermissionDenied
    when `by` may not (only the coordinator)."""
    if by is not None and (refusal := PeopleRules(by).contact_refusal()):
        raise PermissionDenied(refusal)
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    contact = {
        "contact_person": ANONYMOUS_NAME if partner.contact_person else "",
        "email": "",
        "phone": "",
    }
    for name, value in contact.items():
        setattr(partner, name, value)
    partner._history_user = by
    partner._change_reason = ANONYMISED
    partner.save(update_fields=list(contact))
    # An update of the history rows themselves, on purpose: the old versions must not show
    # the old contact.
    HistoricalPartner = Partner.history.model
    HistoricalPartner.objects.filter(id=partner.pk).update(**contact)


def _forget_in_admin_log(model, pk, name) -> None:
    """The admin's log names a changed object as it was then; name it `name` instead."""
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=str(pk)
    ).update(object_repr=name)
