"""Finding interpreters (issue 17): by name, language and provider, 50 a page, in SQL."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..core.paging import Page, paginate
from .models import Interpreter, InterpreterLanguage


@dataclass
class InterpreterFilter:
    name: str = ""
    language: str = ""
    provider_id: int | None = None

    @classmethod
    def from_args(cls, args) -> InterpreterFilter:
        provider = args.get("provider", "")
        return cls(name=args.get("q", "").strip()[:120], language=args.get("language", "").strip()[:16],
                   provider_id=int(provider) if provider.isdigit() and len(provider) < 10 else None)

    @property
    def active(self) -> bool:
        return bool(self.name or self.language or self.provider_id)


def search(filters: InterpreterFilter, number: int) -> Page:
    query = sa.select(Interpreter)
    if filters.name:
        query = query.where(sa.func.lower(Interpreter.name).contains(filters.name.lower(), autoescape=True))
    if filters.language:
        query = query.where(sa.select(InterpreterLanguage.id).where(
            InterpreterLanguage.interpreter_id == Interpreter.id, InterpreterLanguage.language == filters.language)
            .exists())
    if filters.provider_id:
        query = query.where(Interpreter.provider_id == filters.provider_id)
    query = query.order_by(Interpreter.name, Interpreter.id).options(
        selectinload(Interpreter.languages), selectinload(Interpreter.provider))
    return paginate(query, number)
