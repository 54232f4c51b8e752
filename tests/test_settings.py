"""Settings: every variable documented, defaults reach the stand-in, secrets out of reprs."""

import re

from socialmart.settings import PROJECT_ROOT, load_settings

READ_CALL = re.compile(r'_env\w*\(\s*"([A-Z0-9_]+)"')


def test_every_setting_is_documented_in_env_example():
    source = (PROJECT_ROOT / "socialmart" / "settings.py").read_text()
    documented = set(
        re.findall(r"^#?\s*([A-Z0-9_]+)=", (PROJECT_ROOT / ".env.example").read_text(), re.M)
    )
    read = set(READ_CALL.findall(source))
    assert read, "no settings found: the pattern no longer matches settings.py"
    assert sorted(read - documented) == []


def test_default_base_urls_follow_the_stand_in_host_and_port(monkeypatch):
    monkeypatch.setenv("SANDBOX_HOST", "sandbox")
    monkeypatch.setenv("SANDBOX_PORT", "9999")
    settings = load_settings()
    for url in (settings.meta.base_url, settings.tiktok.base_url, settings.threads.base_url):
        assert url.startswith("http://sandbox:9999/")


def test_credentials_never_appear_in_reprs():
    settings = load_settings()
    assert settings.meta.access_token not in repr(settings)
    assert settings.tiktok_shop.app_secret not in repr(settings)


def test_the_writer_pool_has_one_slot_on_duckdb_and_the_setting_on_postgres(monkeypatch):
    monkeypatch.setenv("SOCIALMART_WRITER_POOL_SLOTS", "6")
    assert load_settings().warehouse_pool_slots == 1
    monkeypatch.setenv("SOCIALMART_WAREHOUSE", "postgres")
    assert load_settings().warehouse_pool_slots == 6
