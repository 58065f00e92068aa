"""Calendars (iCalendar): a meeting's .ics, the public feed, and each member's private feed."""
