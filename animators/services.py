"""People of the programme: accounts by invitation, and deactivation that keeps their work."""

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from animators.models import Animator
from partnerships.models import Assignment
from prb_partnerships.roles import Role

User = get_user_model()


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
    """Create the account of an animator, an expert or a librarian (tied to their library),
    without a password, and send the invitation to set one once the transaction commits
    (unless `invite` is false: imported accounts are invited from the people page)."""
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
        transaction.on_commit(lambda: invitation_send(user=user, by=by))
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


def invitation_link(user) -> str:
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def invitation_send(*, user, by=None) -> None:
    """E-mail `user`, in Polish, a link to set their password (valid for a limited time).
    Sending again makes a new link; the old one stops working once a password is set."""
    with translation.override("pl"):
        context = {
            "user": user,
            "link": invitation_link(user),
            "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
            "sender": by,
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("emails/invitation_subject.txt", context).strip()
        message = EmailMultiAlternatives(
            subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
            body=render_to_string("emails/invitation.txt", context),
            to=[user.email],
        )
        message.attach_alternative(render_to_string("emails/invitation.html", context), "text/html")
        message.send()


@transaction.atomic
def person_deactivate(*, user, by) -> list:
    """Deactivate a person: they can no longer sign in; everything they logged stays.
    Returns their active assignments, to be reassigned (they are not ended here)."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    Animator.objects.filter(user=user).update(is_active=False)
    return list(
        Assignment.objects.active()
        .filter(animator__user=user)
        .select_related("partnership__library", "partnership__round")
    )


@transaction.atomic
def person_reactivate(*, user, by) -> None:
    user.is_active = True
    user.save(update_fields=["is_active"])
    Animator.objects.filter(user=user).update(is_active=True)
