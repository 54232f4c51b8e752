"""TikTok API for Business v1.3 connector (ads, reports, GMV Max)."""
