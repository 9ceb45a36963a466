"""Headers every page and file of the application carries (README, "Headers and error pages").

Static files never reach this middleware: whitenoise, before it, answers them with their own
long caching.
"""

from csp.constants import UNSAFE_INLINE
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

# Browser features the application never uses, turned off for its pages and anything they load.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; `Cache-Control: no-store` on every page and file,
    since all of them (the login page aside) show personal data or are scans of it; and in the
    admin only, the `style=""` attributes that third-party admin pages carry."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        add_never_cache_headers(response)
        if request.path_info.startswith(self._admin_prefix()):
            # django-simple-history's and django-import-export's admin templates use style
            # attributes (a paginator's border, a label's weight); scripts stay 'self' only.
            response._csp_update = {"style-src-attr": [UNSAFE_INLINE]}
        return response

    def _admin_prefix(self):
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        return self.admin_prefix
