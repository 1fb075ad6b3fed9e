"""The waiting-room display (issue 6): what the TV on the wall shows and says.

* :mod:`.state` — :class:`DisplayState`, the plain-Python state (counters, latest and
  last calls, waiting counts, filter, connection status) and the announcement rule;
* :mod:`.sse` — server-sent events parser, stream and the reconnecting :class:`EventFeed`;
* :mod:`.client` — :class:`DisplayApi`, the REST client (health, queue, offices);
* :mod:`.controller` — :class:`DisplayController`, feeding the state and the voice;
* :mod:`.theme` — colours, texts and layout options per office;
* :mod:`.app` / ``waiting_room.kv`` — the Kivy screen (import after configuring the window);
* :mod:`.launch` — :func:`run`, used by ``loket display``.

Kivy is imported only by ``app``, ``driver`` and ``launch.run``.
"""
from .client import DisplayApi, DisplayApiError
from .controller import DisplayController
from .sse import EventFeed, SseDisconnected, SseEvent, SseStream, parse_sse
from .state import CONNECTING, DISCONNECTED, LIVE, Call, CounterView, DisplayFilter, DisplayState, DisplayView, ServiceView
from .theme import Theme

__all__ = [
    "CONNECTING", "DISCONNECTED", "LIVE", "Call", "CounterView", "DisplayApi", "DisplayApiError",
    "DisplayController", "DisplayFilter", "DisplayState", "DisplayView", "EventFeed", "ServiceView",
    "SseDisconnected", "SseEvent", "SseStream", "Theme", "parse_sse",
]
