"""The officer's counter station (issue 5): ``api`` (its calls on the one ``client``
and its event feed), ``session`` (login, modes, notices), ``modes/`` (loket,
back-office work queues, hand-over), ``receipts`` (slips, tanda terima, KIA card),
``texts`` (the translation catalogue), ``photo/`` (camera and pass-photo checks),
``controller`` (the composed logic, without a window) and ``app`` (the Kivy front-end
started by ``loket counter``)."""
from .api import ApiError, StationClient, station_feed
from .controller import CARD_FIELDS, HANDOVER, LOKET, Notice, StationController, modes_for

__all__ = ["ApiError", "CARD_FIELDS", "HANDOVER", "LOKET", "Notice", "StationClient", "StationController",
           "modes_for", "station_feed"]
