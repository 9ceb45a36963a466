from prb_partnerships.roles import Role, roles_of


def roles(request):
    user_roles = roles_of(getattr(request, "user", None))
    return {
        "user_roles": user_roles,
        "is_staff_role": Role.COORDINATOR in user_roles or Role.EXPERT in user_roles,
    }
