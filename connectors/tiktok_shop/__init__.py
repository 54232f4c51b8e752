"""TikTok Shop Open API: seller-side affiliate (creator) orders."""
