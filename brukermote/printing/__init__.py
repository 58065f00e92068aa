"""Printed material: posters, letters and flyers in many languages (text engine: ``text.py``)."""
