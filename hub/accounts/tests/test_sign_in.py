"""Signing in, lock-out after repeated failures, two-factor and password reset."""

import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from hub.conftest import PASSWORD

SIGN_IN = "/account/sign-in/"


def _post_sign_in(client: Client, email: str, password: str):
    return client.post(SIGN_IN, {"username": email, "password": password})


def _code(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def test_it_signs_in_with_email_and_password_ignoring_email_case(alice):
    client = Client()
    response = _post_sign_in(client, "ALICE@Example.org", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.get("/home/").context["user"] == alice


def test_it_refuses_a_wrong_password_with_a_clear_message(alice):
    response = _post_sign_in(Client(), "alice@example.org", "wrong password!")
    assert response.status_code == 200
    assert "Enter the email address and password" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()


def test_it_locks_out_after_five_failures_even_with_the_right_password(alice):
    client = Client()
    for _ in range(5):
        _post_sign_in(client, "alice@example.org", "wrong password!")
    response = _post_sign_in(client, "alice@example.org", PASSWORD)
    assert response.status_code == 429
    assert "Your account is locked for now" in response.content.decode()
    assert client.get("/home/").status_code == 302  # still signed out


def test_it_does_not_lock_out_the_same_person_from_another_address(alice):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        _post_sign_in(attacker, "alice@example.org", "wrong password!")
    colleague = Client(REMOTE_ADDR="198.51.100.7")
    assert _post_sign_in(colleague, "alice@example.org", PASSWORD).status_code == 302


def test_it_sends_anonymous_visitors_to_sign_in(db):
    response = Client().get("/home/")
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


@override_settings(REQUIRE_2FA=True)
def test_it_makes_staff_set_up_two_factor_before_anything_else(alice):
    client = Client()
    _post_sign_in(client, "alice@example.org", PASSWORD)
    response = client.get("/home/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:two_factor_setup")
    page = client.get(reverse("accounts:two_factor_setup"))
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    response = client.post(reverse("accounts:two_factor_setup"), {"token": _code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/home/").status_code == 200


@override_settings(REQUIRE_2FA=True)
def test_it_asks_for_the_code_at_each_sign_in_and_refuses_a_wrong_one(alice):
    device = TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    client = Client()
    _post_sign_in(client, "alice@example.org", PASSWORD)
    assert client.get("/home/")["Location"] == reverse("accounts:two_factor_verify")
    wrong = client.post(reverse("accounts:two_factor_verify"), {"token": "12345x"})
    assert "Enter the 6-digit security code" in wrong.content.decode()
    assert client.get("/home/").status_code == 302
    device.refresh_from_db()
    response = client.post(reverse("accounts:two_factor_verify"), {"token": _code(device)})
    assert response.status_code == 302
    assert client.get("/home/").status_code == 200


@override_settings(REQUIRE_2FA=True)
def test_it_makes_you_wait_after_a_wrong_code(alice):
    device = TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    client = Client()
    _post_sign_in(client, "alice@example.org", PASSWORD)
    client.post(reverse("accounts:two_factor_verify"), {"token": "000000"})
    device.refresh_from_db()
    response = client.post(reverse("accounts:two_factor_verify"), {"token": _code(device)})
    assert "Too many wrong codes in a row" in response.content.decode()


@override_settings(REQUIRE_2FA=False)
def test_it_needs_no_second_factor_in_demo_mode(alice):
    client = Client()
    _post_sign_in(client, "alice@example.org", PASSWORD)
    assert client.get("/home/").status_code == 200


def test_it_emails_a_password_reset_link_that_sets_a_new_password(alice):
    client = Client()
    response = client.post(reverse("accounts:password_reset"), {"email": "alice@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/account/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Set a new password" in form_page.content.decode()
    new = "a much longer passphrase 42"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    assert _post_sign_in(Client(), "alice@example.org", new).status_code == 302


def test_it_does_not_say_whether_an_address_has_an_account(db):
    response = Client().post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.parametrize("email", ["", "not-an-email", "a" * 300 + "@example.org"])
def test_it_names_the_field_when_the_reset_address_is_bad(db, email):
    response = Client().post(reverse("accounts:password_reset"), {"email": email})
    assert response.status_code == 200
    assert 'href="#id_email"' in response.content.decode()


def test_it_signs_out_only_by_post(alice_client):
    assert alice_client.get("/account/sign-out/").status_code == 405
    assert alice_client.post("/account/sign-out/").status_code == 302
    assert alice_client.get("/home/").status_code == 302
