"""The four roles of the programme, held as Django groups (created by a migration).

`roles_of(user)` reads the user's groups once per user object; every access rule in the
project asks these helpers instead of reading groups itself.
"""

from enum import StrEnum


class Role(StrEnum):
    COORDINATOR = "coordinator"
    EXPERT = "expert"
    ANIMATOR = "animator"
    LIBRARIAN = "librarian"


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
    return has_role(user, Role.COORDINATOR, Role.EXPERT)
