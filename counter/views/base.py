"""The base of the station's mode views."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.uix.widget import Widget

from ..texts import STATE_LABELS, label, tr

if TYPE_CHECKING:  # pragma: no cover
    from ..app import StationApp


class View:
    """One mode's widgets: :meth:`build` adds them to ``app.body`` once, :meth:`update`
    redraws them from the controller's state (called on the UI thread). Buttons run
    controller methods through ``app.act`` (on a worker thread)."""

    def __init__(self, app: "StationApp") -> None:
        self.app = app
        self.ctl = app.ctl

    def t(self, key: str, **kw: Any) -> str:
        """A catalogue text in the station's language."""
        return tr(self.ctl.lang, key, **kw)

    def state(self, code: str | None) -> str:
        """A berkas state as officers read it."""
        return label(STATE_LABELS, code, self.ctl.lang)

    def reg(self, name: str, widget: Widget) -> Widget:
        """Register ``widget`` under ``name`` for the test driver; returns it."""
        return self.app.reg(name, widget)

    def act(self, fn, *args, **kwargs) -> None:
        """Run a controller action on a worker thread, then redraw."""
        self.app.act(fn, *args, **kwargs)

    def build(self) -> None:
        """Add the mode's widgets to ``app.body``."""

    def update(self) -> None:
        """Redraw from the controller's state."""

    def stop(self) -> None:
        """Release devices (camera preview) when the view goes away."""
