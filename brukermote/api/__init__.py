"""A small read-only JSON API of published meetings, for the district's website."""
