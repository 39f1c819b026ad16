import pytest

from hub.settings.env import ConfigurationError, env_bool, env_int, env_list, env_str


def test_it_reads_typed_values(monkeypatch):
    monkeypatch.setenv("HUB_FLAG", "Yes")
    monkeypatch.setenv("HUB_N", "12")
    monkeypatch.setenv("HUB_HOSTS", "a.example, b.example,")
    assert env_bool("HUB_FLAG", False) is True
    assert env_int("HUB_N", 0) == 12
    assert env_list("HUB_HOSTS", []) == ["a.example", "b.example"]


def test_it_fails_loudly_on_values_it_cannot_understand(monkeypatch):
    monkeypatch.setenv("HUB_FLAG", "maybe")
    monkeypatch.setenv("HUB_N", "twelve")
    with pytest.raises(ConfigurationError, match="HUB_FLAG"):
        env_bool("HUB_FLAG", False)
    with pytest.raises(ConfigurationError, match="HUB_N"):
        env_int("HUB_N", 0)
    with pytest.raises(ConfigurationError, match="HUB_MISSING must be set"):
        env_str("HUB_MISSING")


def test_a_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("HUB_SECRET_FILE", str(secret))
    monkeypatch.setenv("HUB_SECRET", "ignored")
    assert env_str("HUB_SECRET") == "s3cret"


def test_env_example_lists_every_variable_the_settings_read():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    source = "".join(p.read_text() for p in (root / "hub" / "settings").glob("*.py"))
    read = set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z_0-9]+)"', source))
    example = (root / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z_0-9]+)=", example, re.MULTILINE))
    assert read - listed == set()
