"""Accounts: two-factor authentication for admin users, login lockout, passwords, CSRF."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"


@pytest.fixture
def require_2fa(settings):
    settings.MGI_REQUIRE_2FA = True


def _code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_admin_needs_a_verified_authenticator(require_2fa, staff):
    """Password alone reaches no admin page; after enrolling a TOTP app and a code, it does."""
    client = Client()
    client.force_login(staff)
    admin_index = reverse("admin:index")
    response = client.get(admin_index)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor"))
    # Deep links and workflow actions are guarded too.
    assert client.get(reverse("admin:profiles_assessment_changelist")).status_code == 302
    setup = client.get(response["Location"])
    assert setup.status_code == 200
    assert b"totp-qr" in setup.content and b"<svg" in setup.content  # the QR code
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    wrong = client.post(reverse("two_factor"), {"token": "000000", "next": admin_index})
    assert wrong.status_code == 200 and b"not valid" in wrong.content
    assert client.get(admin_index).status_code == 302
    # The throttle delay after a wrong code is a second; let it pass.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    verified = client.post(reverse("two_factor"), {"token": _code(device), "next": admin_index})
    assert verified.status_code == 302 and verified["Location"] == admin_index
    assert client.get(admin_index).status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_officials_need_it_too_and_a_known_device_asks_only_for_the_code(require_2fa, government):
    """A focal point without the staff flag is guarded; a confirmed device shows no new secret."""
    official = factories.official(government, role="focal_point", username="fp-no-staff")
    official.is_staff = False
    official.save()
    device = TOTPDevice.objects.create(user=official, name="phone", confirmed=True)
    client = Client()
    client.force_login(official)
    assert client.get("/api/v1/publications/").status_code == 302
    page = client.get(reverse("two_factor"))
    assert b"totp-qr" not in page.content
    client.post(reverse("two_factor"), {"token": _code(device)})
    assert client.get("/api/v1/publications/").status_code == 200


def test_a_replayed_code_and_a_foreign_next_are_refused(require_2fa, staff):
    """A code already used cannot verify a second session; `next` cannot leave the site."""
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    first = Client()
    first.force_login(staff)
    code = _code(device)
    response = first.post(reverse("two_factor"), {"token": code, "next": "https://evil.example/"})
    assert response["Location"] == reverse("admin:index")
    second = Client()
    second.force_login(staff)
    replay = second.post(reverse("two_factor"), {"token": code})
    assert replay.status_code == 200
    assert second.get(reverse("admin:index")).status_code == 302


def test_public_visitors_are_not_asked_for_a_second_factor(require_2fa, client):
    assert client.get("/").status_code == 200
    user = factories.UserFactory(username="reader", is_staff=False)
    client.force_login(user)
    assert client.get("/").status_code == 200


def test_two_factor_is_off_in_development_only(staff, client):
    """The default follows DEBUG: required in production, off for `make run`."""
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200  # tests run with it off
    for debug, expected in (("false", "True"), ("true", "False")):
        env = {key: value for key, value in os.environ.items() if key != "MGI_REQUIRE_2FA"}
        env.update(DJANGO_DEBUG=debug, DJANGO_SETTINGS_MODULE="mgi_portal.settings")
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "from django.conf import settings; print(settings.MGI_REQUIRE_2FA)",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == expected


def test_repeated_wrong_passwords_lock_the_account_out(settings):
    """After five failures the right password is refused too (429), for that username."""
    settings.AXES_FAILURE_LIMIT = 5
    user = factories.UserFactory(username="target", is_staff=True)
    other = factories.UserFactory(username="bystander", is_staff=True)
    client = Client()
    url = reverse("admin:login")
    for _ in range(5):
        response = client.post(url, {"username": user.username, "password": "guess"})
        assert response.status_code in (200, 429)
    locked = client.post(url, {"username": user.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another account from the same address still signs in.
    fine = Client().post(url, {"username": other.username, "password": PASSWORD})
    assert fine.status_code == 302


def test_weak_passwords_are_refused():
    for weak in ("password1234", "123456789012", "short"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("Blue-Tractor-Rivers-2031!")


def test_login_needs_the_csrf_token():
    factories.UserFactory(username="csrf-user", is_staff=True)
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("admin:login"), {"username": "csrf-user", "password": PASSWORD})
    assert response.status_code == 403


def test_login_redirect_stays_on_the_site():
    """`next` pointing at another site is ignored after login (no open redirect)."""
    factories.UserFactory(username="next-user", is_staff=True)
    client = Client()
    response = client.post(
        reverse("admin:login") + "?next=https://evil.example/",
        {"username": "next-user", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
