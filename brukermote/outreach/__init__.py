"""Reaching people: contacts with recorded consent, mailings, poster locations, registrations and the funnel."""
