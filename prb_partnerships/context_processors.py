from prb_partnerships.roles import roles_of, sees_everything


def roles(request):
    user = getattr(request, "user", None)
    return {
        "user_roles": roles_of(user),
        "is_staff_role": sees_everything(user),
    }
