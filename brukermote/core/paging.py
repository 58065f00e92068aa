"""Lists paged in SQL: 50 rows a page, a count query beside, and the page number read forgivingly."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import request

from ..extensions import db

PAGE_SIZE = 50


@dataclass
class Page:
    rows: list
    total: int
    number: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_row(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.total, self.number * self.size)


def page_number() -> int:
    """The ``page`` argument; anything but a positive whole number (a typo, an old link) means page 1."""
    raw = request.args.get("page", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10**6 else 1


def paginate(query: sa.Select, number: int, size: int = PAGE_SIZE, scalars: bool = True) -> Page:
    """One count and one page of ``query`` (which must be ordered); a page past the end shows the last."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // size))
    number = min(number, pages)
    paged = query.limit(size).offset((number - 1) * size)
    rows = list(db.session.scalars(paged)) if scalars else list(db.session.execute(paged))
    return Page(rows, total, number, size)
