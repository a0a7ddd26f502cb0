"""Security pieces that no installed package provides.

- `SecurityHeadersMiddleware` adds Permissions-Policy and Cross-Origin-Resource-Policy
  (Django's SecurityMiddleware sets HSTS, nosniff, Referrer-Policy and COOP;
  django-csp sets Content-Security-Policy with `frame-ancestors 'none'`).
- `RequireTwoFactorMiddleware` keeps anyone who can reach the admin (staff,
  administrators, government focal points and validators) out of every page but
  the two-factor pages until they have verified a TOTP device in this session,
  when `MGI_REQUIRE_2FA` is on (the default with DEBUG off).
- `ThrottledLoginBackend` is django-axes' standalone backend, except that a call
  without a request (management commands, the test client's `login()`) is not an
  HTTP login attempt and is left to the next backend instead of raising.
- `client_ip` tells django-axes the client's address behind nginx.
"""

from __future__ import annotations

from urllib.parse import urlencode

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from mgi_portal import headers
from profiles import access


class SecurityHeadersMiddleware:
    """Add the headers Django and django-csp do not set, unless a view set them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", headers.PERMISSIONS_POLICY)
        response.headers.setdefault(
            "Cross-Origin-Resource-Policy", headers.CROSS_ORIGIN_RESOURCE_POLICY
        )
        return response


def _exempt_prefixes() -> tuple[str, ...]:
    admin = "/" + settings.MGI_ADMIN_PATH
    return (
        admin + "two-factor/",
        admin + "logout/",
        "/" + settings.STATIC_URL.lstrip("/"),
        "/healthz",
        "/i18n/",
    )


class RequireTwoFactorMiddleware:
    """Send a signed-in admin user who has not passed the second factor to the 2FA page.

    Installed after django-otp's OTPMiddleware. It reads the setting on every request
    (so tests can switch it) and does nothing, not even a query, when it is off or
    the visitor is anonymous. Every path but the 2FA pages, logout, static files,
    health and language switching is guarded, so an unverified session reaches no
    admin page, workflow action or API endpoint with its privileges. Who must verify
    is `profiles.access.requires_two_factor`, the one access policy.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if getattr(settings, "MGI_REQUIRE_2FA", False) and self._must_verify(request):
            target = reverse("two_factor")
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{target}?{query}")
        return self.get_response(request)

    @staticmethod
    def _must_verify(request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if request.path.startswith(_exempt_prefixes()):
            return False
        if user.is_verified():
            return False
        return access.requires_two_factor(user)


class ThrottledLoginBackend(AxesStandaloneBackend):
    """django-axes' lockout check for HTTP logins; skipped when there is no request.

    Every HTTP login path (the admin login form, DRF session login) passes the
    request, so it is throttled. Calls without one are not attempts over the
    network (management commands, `Client.login()` in tests).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: from the header the proxy overwrites, else the socket's.

    `MGI_CLIENT_IP_HEADER` (e.g. `HTTP_X_REAL_IP`) must name a header the
    front proxy always sets itself, or clients could pick their own address.
    """
    header = getattr(settings, "MGI_CLIENT_IP_HEADER", "")
    if header:
        value = request.META.get(header, "").split(",")[0].strip()
        if value:
            return value
    return request.META.get("REMOTE_ADDR")
