"""The Threads API client of one profile: its token, Graph error codes, Threads advice."""

from __future__ import annotations

from connectors.common.graph import GraphClient, graph_classifier
from socialmart.settings import Settings

PLATFORM = "Threads"

classify_threads_response = graph_classifier(
    PLATFORM,
    token_hint="Create a new long-lived Threads user token for this profile (threads_basic, "
    "threads_manage_insights) and set it in THREADS_ACCESS_TOKENS (or THREADS_ACCESS_TOKEN).",
    permission_hint="Grant the app threads_basic and threads_manage_insights for this profile, "
    "or remove the profile from THREADS_PROFILES.",
)


def threads_client(settings: Settings, profile: str) -> GraphClient:
    """A client for ``profile`` with its own token (or the shared one)."""
    threads = settings.threads
    return GraphClient(
        PLATFORM,
        f"{threads.base_url}/{threads.api_version}",
        threads.token_for(profile),
        settings.http,
        classify_threads_response,
    )
