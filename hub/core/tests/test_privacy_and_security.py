"""Security headers, error pages and keeping personal data out of logs and addresses."""

import logging

import pytest
from django.test import Client, override_settings
from django.urls import get_resolver

from hub.core.logging import PersonalDataFilter, scrub


def test_every_page_sends_a_strict_content_security_policy(alice_client):
    response = alice_client.get("/home/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_production_settings_turn_on_hsts_and_secure_cookies(monkeypatch):
    import importlib

    monkeypatch.setenv("SECRET_KEY", "k" * 60)
    production = importlib.import_module("hub.settings.production")
    production = importlib.reload(production)
    assert production.SECURE_HSTS_SECONDS >= 31536000
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
    assert production.DEBUG is False
    assert production.REQUIRE_2FA is True


def test_production_refuses_a_weak_secret_key(monkeypatch):
    import importlib

    from hub.settings.env import ConfigurationError

    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        importlib.reload(importlib.import_module("hub.settings.production"))


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("sent to jo.bloggs@example.org", "jo.bloggs@example.org"),
        ("NHS 943 476 5919 imported", "943 476 5919"),
        ("lives at S40 1LP", "S40 1LP"),
        ("call 07700 900123", "07700 900123"),
    ],
)
def test_it_masks_personal_data_in_log_messages(text, hidden):
    assert hidden not in scrub(text)


def test_the_log_filter_masks_arguments_too(caplog):
    logger = logging.getLogger("hub.test")
    logger.addFilter(PersonalDataFilter())
    with caplog.at_level(logging.INFO, logger="hub.test"):
        logger.info("referral for %s", "jo@example.org")
    assert "jo@example.org" not in caplog.text
    assert "[email]" in caplog.text


def test_no_address_in_the_hub_takes_a_name_email_or_postcode():
    """Records are addressed by number or code; personal data never goes in a URL."""
    forbidden = ("email", "name", "postcode", "nhs", "phone", "dob")
    routes = [str(p.pattern) for p in _all_patterns(get_resolver())]
    offending = [r for r in routes if any(f"<{w}" in r or f":{w}" in r for w in forbidden)]
    assert offending == []
    assert any("<int:pk>" in r for r in routes)


def _all_patterns(resolver):
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _all_patterns(pattern)
        else:
            yield pattern


def test_a_missing_page_gets_a_helpful_404(alice_client):
    response = alice_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@override_settings(DEBUG=False)
def test_a_server_error_shows_no_details(db):
    from hub.core.views import server_error

    response = server_error(Client().get("/").wsgi_request)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_the_health_check_answers(db):
    assert Client().get("/healthz").json() == {"status": "ok"}


def test_the_static_pages_are_public(db):
    client = Client()
    assert "Accessibility statement" in client.get("/accessibility/").content.decode()
    assert "Privacy notice" in client.get("/privacy/").content.decode()
