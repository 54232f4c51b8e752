"""Stand-in of the TikTok API for Business v1.3 (ads, reports, GMV Max)."""
