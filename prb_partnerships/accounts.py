from allauth.account.adapter import DefaultAccountAdapter


class NoSignupAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by the coordinator or an expert; nobody signs themselves up."""

    def is_open_for_signup(self, request):
        return False
