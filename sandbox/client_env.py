"""The settings that point every source at the stand-in's scenario identities.

Meta, TikTok Shop and FX discover their accounts from the API, so their defaults already
reach the stand-in. Threads profiles, the Instagram business account and the TikTok app
credentials cannot be discovered: the demo and the end-to-end tests take them from here,
so the stand-in's creators and brand flow through every source.
"""

from __future__ import annotations

from sandbox.creators import BRAND, CREATORS
from sandbox.tiktok.api import SANDBOX_APP_ID, SANDBOX_APP_SECRET


def client_env() -> dict[str, str]:
    """Environment variables (names as in ``.env.example``) for a run against the stand-in."""
    return {
        "THREADS_PROFILES": ",".join(p.threads_user_id for p in (BRAND, *CREATORS)),
        "INSTAGRAM_BUSINESS_ACCOUNT_ID": BRAND.ig_user_id,
        "TIKTOK_APP_ID": SANDBOX_APP_ID,
        "TIKTOK_APP_SECRET": SANDBOX_APP_SECRET,
    }
