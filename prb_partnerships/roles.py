"""The four roles of the programme, held as Django groups (created by a migration).

`roles_of(user)` reads the user's groups once per user object; every access rule in the
project asks these helpers instead of reading groups itself:

- `has_role(user, *roles)` — the user has one of `roles`;
- `sees_everything(user)` — the coordinator and the experts, who follow every partnership;
- `@role_required(*roles)` — the gate of a view: anonymous users go to the login page, a
  signed-in user without one of `roles` gets 403.
"""

from enum import StrEnum
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


class Role(StrEnum):
    COORDINATOR = "coordinator"
    EXPERT = "expert"
    ANIMATOR = "animator"
    LIBRARIAN = "librarian"


# The roles that see every library, partnership and person of the programme.
STAFF_ROLES = (Role.COORDINATOR, Role.EXPERT)


def roles_of(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_prb_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached |= {Role.COORDINATOR}
        user._prb_roles = cached
    return cached


def has_role(user, *roles: Role) -> bool:
    return bool(roles_of(user) & set(roles))


def sees_everything(user) -> bool:
    """Coordinator and experts follow every partnership."""
    return has_role(user, *STAFF_ROLES)


def role_required(*roles: Role):
    """The gate of a view: login required, then one of `roles`, else 403."""

    def decorator(view):
        @wraps(view)
        def gated(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(gated)

    return decorator


staff_required = role_required(*STAFF_ROLES)
