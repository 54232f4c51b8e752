"""TikTok's error answers: HTTP 200 with a non-zero ``code`` (reference section 7)."""

from __future__ import annotations


class TikTokError(Exception):
    """An error the stand-in answers as ``{"code": code, "message": message, "data": {}}``."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def invalid_param(detail: str) -> TikTokError:
    return TikTokError(40002, detail)


def span_too_long(days: int) -> TikTokError:
    return TikTokError(40002, f"max time span is {days} days when use stat_time_day")


def bad_token() -> TikTokError:
    return TikTokError(40105, "Access token is incorrect or has been revoked.")


def no_permission(advertiser_id: str) -> TikTokError:
    return TikTokError(
        40001, f"No permission to operate advertiser {advertiser_id}, please check the scope."
    )


def bad_app() -> TikTokError:
    return TikTokError(40101, "App ID or secret is invalid.")


def not_found(path: str) -> TikTokError:
    return TikTokError(40002, f"Unsupported API path: {path}")
