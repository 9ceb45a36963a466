from django.utils.translation import pgettext_lazy

from prb_partnerships.roles import Role, roles_of, sees_everything

# The roles as the header names them beside the signed-in person's name. Polish says them as
# functions ("koordynacja programu"), the same for everyone, rather than as a woman's or a man's
# title.
HEADER_ROLE_LABELS = {
    Role.COORDINATOR: pgettext_lazy("role of the signed-in person", "programme coordinator"),
    Role.EXPERT: pgettext_lazy("role of the signed-in person", "CAL expert"),
    Role.ANIMATOR: pgettext_lazy("role of the signed-in person", "partnership animator"),
    Role.LIBRARIAN: pgettext_lazy("role of the signed-in person", "lead library"),
}


def roles(request):
    user = getattr(request, "user", None)
    user_roles = roles_of(user)
    return {
        "user_roles": user_roles,
        "user_role_labels": [label for role, label in HEADER_ROLE_LABELS.items()
                             if role in user_roles],
        "is_staff_role": sees_everything(user),
    }
