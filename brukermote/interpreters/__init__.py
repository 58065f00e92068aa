"""Interpreters: providers, interpreters and their register categories, bookings per meeting and language, demand and costs."""
