import math
import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

LOCKED_OUT = "too_many_login_attempts"


class NoSignupAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by the coordinator or an expert; nobody signs themselves up."""

    def is_open_for_signup(self, request):
        return False

    def pre_authenticate(self, request, **credentials):
        """allauth refuses a sign-in once ACCOUNT_RATE_LIMITS["login_failed"] is used up, the
        right password included; say for how long, and that the password reset still works."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as error:
            if error.code != LOCKED_OUT:
                raise
            minutes = max(1, math.ceil(self.login_locked_seconds(request, **credentials) / 60))
            message = ngettext(
                "You can sign in to this account again in %(minutes)d minute; until then even "
                "the right password is not accepted. If you do not remember it, set a new one "
                "with “Forgot your password?” below: that works now and lifts the lock.",
                "You can sign in to this account again in %(minutes)d minutes; until then even "
                "the right password is not accepted. If you do not remember it, set a new one "
                "with “Forgot your password?” below: that works now and lifts the lock.",
                minutes,
            ) % {"minutes": minutes}
            raise ValidationError(
                f"{self.error_messages[LOCKED_OUT]} {message}", code=LOCKED_OUT
            ) from None

    def login_locked_seconds(self, request, **credentials):
        """Seconds until the used-up limits of "login_failed" (per address, per account) let one
        more attempt through: when the oldest failure that fills a limit leaves its window."""
        key = self._get_login_attempts_cache_key(request, **credentials)
        now = time.time()
        waits = [0.0]
        for rate in ratelimit.get_rates(app="allauth.account", action="login_failed"):
            cache_key = ratelimit.get_cache_key(
                request, app="allauth.account", action="login_failed", rate=rate, key=key
            )
            # allauth keeps the times of the failures, newest first.
            failures = [t for t in cache.get(cache_key, []) if t > now - rate.duration]
            if len(failures) >= rate.amount:
                waits.append(failures[rate.amount - 1] + rate.duration - now)
        return max(waits)
