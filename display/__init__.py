"""The waiting-room display (issue 6): what the TV on the wall shows and says.

* :mod:`.state` — :class:`DisplayState`, the plain-Python state (counters, latest and
  last calls, waiting counts, filter, connection status) and the announcement rule;
* :mod:`.controller` — :class:`DisplayController`, feeding the state and the voice;
* :mod:`.theme` — colours, texts and layout options per office;
* :mod:`.app` / ``waiting_room.kv`` — the Kivy screen (import after configuring the window);
* :mod:`.launch` — :func:`run`, used by ``loket display``.

It talks to the server only through ``client`` (``client.http.Client`` for health,
queue and offices; ``client.sse.EventFeed`` for the event stream). Kivy is imported
only by ``app``, ``driver`` and ``launch.run``.
"""
from .controller import DisplayController
from .state import CONNECTING, DISCONNECTED, LIVE, Call, CounterView, DisplayFilter, DisplayState, DisplayView, ServiceView
from .theme import Theme

__all__ = [
    "CONNECTING", "DISCONNECTED", "LIVE", "Call", "CounterView", "DisplayController", "DisplayFilter",
    "DisplayState", "DisplayView", "ServiceView", "Theme",
]
