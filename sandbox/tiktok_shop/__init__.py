"""Stand-in of the TikTok Shop Open API (seller-side affiliate orders)."""
