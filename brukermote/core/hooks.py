"""Extension points through which domains add to the meeting page without importing each other's views.

A domain registers, at blueprint registration time:
- a *warning provider*: ``fn(meeting) -> list[Warning]`` shown on the dashboard and the meeting page;
- a *meeting panel*: a template rendered on the meeting page with ``fn(meeting) -> dict`` as context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Warning:
    #: "error" blocks something (e.g. a final print); "warning" needs attention; "info" is a hint.
    level: str
    message: str
    #: Where to go to fix it.
    url: str | None = None


@dataclass
class MeetingPanel:
    key: str
    template: str
    context: Callable[..., dict]
    order: int = 100
    #: The panel's name in the meeting page's section navigation (its ``key`` is the section's id).
    label: object = None


@dataclass(frozen=True)
class NavItem:
    label: object
    endpoint: str
    admin_only: bool = False


@dataclass
class PlanningHint:
    """Shown above the new-meeting form (e.g. the most asked-for topics); ``context`` fills it."""

    key: str
    template: str
    context: Callable[[], dict]


@dataclass
class Registry:
    warning_providers: list[Callable] = field(default_factory=list)
    panels: list[MeetingPanel] = field(default_factory=list)
    nav: list[NavItem] = field(default_factory=list)
    planning_hints: list[PlanningHint] = field(default_factory=list)

    def add_planning_hint(self, hint: PlanningHint) -> None:
        if all(h.key != hint.key for h in self.planning_hints):
            self.planning_hints.append(hint)

    def add_nav(self, label, endpoint: str, admin_only: bool = False) -> None:
        if all(item.endpoint != endpoint for item in self.nav):
            self.nav.append(NavItem(label, endpoint, admin_only))

    def add_warning_provider(self, fn: Callable) -> None:
        if fn not in self.warning_providers:
            self.warning_providers.append(fn)

    def add_panel(self, panel: MeetingPanel) -> None:
        if all(p.key != panel.key for p in self.panels):
            self.panels.append(panel)
            self.panels.sort(key=lambda p: p.order)


registry = Registry()


def subscribe(hook_list: list, fn: Callable) -> None:
    """Add ``fn`` to another domain's hook list once (``create_app`` runs many times in tests)."""
    if fn not in hook_list:
        hook_list.append(fn)
