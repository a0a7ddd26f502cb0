"""The second factor for admin users: set up a TOTP authenticator once, then enter its code.

Reached through `RequireTwoFactorMiddleware` (mgi_portal/security.py) after the
password login. A user with no confirmed device is shown a new secret (QR code
and text) and confirms it with a first code; from then on the page asks for the
current code. django-otp throttles wrong codes per device (growing delays), and
a verified session gets a new session key so a planted session id is useless.
Administrators reset a lost device by deleting it in the admin (TOTP devices).
"""

from __future__ import annotations

import io
from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice


class TokenForm(forms.Form):
    """The six-digit code the authenticator app shows."""

    token = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def safe_next(request: HttpRequest) -> str:
    """Where to go after verification: `next` only if it stays on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def _qr_svg(device: TOTPDevice) -> str:
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        buffer, kind="svg", scale=4, xmldecl=False, svgns=True, title=_("Authenticator QR code")
    )
    return buffer.getvalue().decode()


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Ask for a TOTP code; on a user's first visit, enrol an authenticator first."""
    user = request.user
    next_url = safe_next(request)
    if user.is_verified():
        return HttpResponseRedirect(next_url)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        # One pending device per user: reloading the page shows the same secret.
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, confirmed=False, defaults={"name": _("Authenticator app")}
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            request.session.cycle_key()
            otp_login(request, device)
            return HttpResponseRedirect(next_url)
        form.add_error("token", _("That code is not valid. Wait for a new code and try again."))
    context = {
        "form": form,
        "next": next_url,
        "enrolling": enrolling,
        "title": _("Set up two-step verification") if enrolling else _("Two-step verification"),
        "site_header": _("MGI Portal administration"),
        "has_permission": False,
    }
    if enrolling:
        context["qr_svg"] = _qr_svg(device)
        context["secret"] = _base32(device)
        context["issuer"] = getattr(settings, "OTP_TOTP_ISSUER", "")
    return render(request, "two_factor/verify.html", context)


def _base32(device: TOTPDevice) -> str:
    """The secret as people type it into an app: base32 in groups of four."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
