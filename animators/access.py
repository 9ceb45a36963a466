"""Who may change whom: the one rule of the people pages, their services and their buttons.

- The coordinator creates, invites, deactivates and reactivates every account.
- A CAL expert does so for animators and librarians only.
- Nobody deactivates their own account, and the last active coordinator stays active.
- Animators and librarians manage no accounts (the people pages answer them 403).
- Only the coordinator anonymises a person who has left (removes their personal data), never
  themselves nor the last active coordinator; an anonymised account cannot be changed again.

A person with several roles counts with the highest: coordinator > expert > animator >
librarian; a superuser counts as the coordinator (as in `prb_partnerships.roles`). "The last
active coordinator" is the last active member of the coordinator group: a superuser does not
replace the programme's coordinator.

Each rule answers with the reason for a refusal, shown to the user ("" when allowed), so that
the views, the services and the templates cannot disagree.
"""

from enum import StrEnum

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from prb_partnerships.roles import Role, roles_of

User = get_user_model()

# Highest first.
RANKING = (Role.COORDINATOR, Role.EXPERT, Role.ANIMATOR, Role.LIBRARIAN)
MANAGED_BY = {
    Role.COORDINATOR: RANKING,
    Role.EXPERT: (Role.ANIMATOR, Role.LIBRARIAN),
}


class Action(StrEnum):
    INVITE = "invite"  # send the invitation (again)
    DEACTIVATE = "deactivate"
    REACTIVATE = "reactivate"
    ANONYMISE = "anonymise"  # remove the personal data of a person who has left


# An anonymised account's e-mail: `usunieta-<id>@invalid` (the reserved domain of RFC 2606).
ANONYMISED_DOMAIN = "invalid"


def is_anonymised(person) -> bool:
    return person.email.endswith("@" + ANONYMISED_DOMAIN)


def highest_role(names) -> Role | None:
    return next((role for role in RANKING if role in names), None)


def role_of(person) -> Role | None:
    """The highest role of `person`, deactivated or not (reads `person.groups.all()`, which
    the people pages prefetch)."""
    names = {group.name for group in person.groups.all()}
    if person.is_superuser:
        names.add(Role.COORDINATOR)
    return highest_role(names)


def active_coordinator_pks(*, lock=False) -> set:
    """The active members of the coordinator group; `lock` holds their rows until the end of
    the transaction, so that two coordinators cannot deactivate each other at once."""
    coordinators = User.objects.filter(groups__name=Role.COORDINATOR, is_active=True)
    if lock:
        coordinators = coordinators.select_for_update(of=("self",)).order_by("pk")
    return set(coordinators.values_list("pk", flat=True))


class PeopleRules:
    """What `actor` may do to accounts; make one per request (it reads the active
    coordinators once, when a rule first needs them), or pass `coordinator_pks`."""

    def __init__(self, actor, *, coordinator_pks=None):
        self.actor = actor
        self.actor_role = highest_role(roles_of(actor))
        self.managed_roles = MANAGED_BY.get(self.actor_role, ())
        self._coordinator_pks = coordinator_pks

    @property
    def coordinator_pks(self) -> set:
        if self._coordinator_pks is None:
            self._coordinator_pks = active_coordinator_pks()
        return self._coordinator_pks

    def creation_refusal(self, role) -> str:
        """Why `actor` may not create (and invite) an account of `role`; "" when they may."""
        if not self.managed_roles:
            return _("Only the coordinator and CAL experts manage accounts.")
        if role not in self.managed_roles:
            return _("Only the coordinator manages the accounts of CAL experts and coordinators.")
        return ""

    def refusal(self, action, person) -> str:
        """Why `actor` may not do `action` to `person`'s account; "" when they may."""
        if not self.managed_roles:
            return _("Only the coordinator and CAL experts manage accounts.")
        if action == Action.DEACTIVATE and person.pk == self.actor.pk:
            return _("You cannot deactivate your own account.")
        if action == Action.ANONYMISE:
            return self._anonymise_refusal(person)
        if is_anonymised(person):
            return _("This account is anonymised: its personal data were removed.")
        role = role_of(person)
        if self.actor_role != Role.COORDINATOR and role not in self.managed_roles:
            return _("Only the coordinator manages the accounts of CAL experts and coordinators.")
        if action == Action.INVITE:
            if not person.is_active:
                return _("This account is deactivated; reactivate it first.")
            if person.has_usable_password():
                return _(
                    "%(email)s already has a password; a forgotten password can be reset on the"
                    " sign-in page."
                ) % {"email": person.email}
        elif action == Action.DEACTIVATE:
            if not person.is_active:
                return _("This account is already deactivated.")
            if role == Role.COORDINATOR and self.coordinator_pks <= {person.pk}:
                return _(
                    "%(email)s is the last active coordinator; invite another coordinator first."
                ) % {"email": person.email}
        elif action == Action.REACTIVATE and person.is_active:
            return _("This account is active.")
        return ""

    def _anonymise_refusal(self, person) -> str:
        if self.actor_role != Role.COORDINATOR:
            return _("Only the coordinator removes a person's personal data.")
        if person.pk == self.actor.pk:
            return _("You cannot remove your own personal data; ask another coordinator.")
        if is_anonymised(person):
            return _("This account is anonymised: its personal data were removed.")
        if role_of(person) == Role.COORDINATOR and self.coordinator_pks <= {person.pk}:
            return _(
                "%(email)s is the last active coordinator; invite another coordinator first."
            ) % {"email": person.email}
        return ""

    def contact_refusal(self) -> str:
        """Why `actor` may not remove the personal data of a partner's contact person."""
        if self.actor_role != Role.COORDINATOR:
            return _("Only the coordinator removes a person's personal data.")
        return ""

    def allowed_actions(self, person) -> frozenset:
        """The actions `actor` may do to `person` (the buttons of the people list)."""
        return frozenset(action for action in Action if not self.refusal(action, person))
