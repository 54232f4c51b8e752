"""Threads API source: posts, post insights and daily profile insights per profile."""
