"""The staff counter station (issue 5): ``api`` (HTTP client and event stream),
``controller`` (logic without a window) and ``app`` (the Kivy front-end started by
``loket counter``)."""
from .api import ApiError, EventStream, StationClient
from .controller import CARD_FIELDS, MODES_BY_ROLE, Notice, StationController

__all__ = ["ApiError", "CARD_FIELDS", "EventStream", "MODES_BY_ROLE", "Notice", "StationClient",
           "StationController"]
