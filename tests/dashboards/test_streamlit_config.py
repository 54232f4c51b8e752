"""Streamlit's settings for the dashboard: no deploy button, no usage statistics."""

from __future__ import annotations

import tomllib

from socialmart.settings import PROJECT_ROOT


def test_deploy_button_and_usage_statistics_are_off() -> None:
    # Streamlit reads .streamlit/config.toml from its working directory: `make dashboard`,
    # the browser test and the Docker image start it from the project root.
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())

    assert config["client"]["toolbarMode"] == "viewer"
    assert config["browser"]["gatherUsageStats"] is False
