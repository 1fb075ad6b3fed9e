"""The kiosk's screens, one function each (``(app) -> Widget``), grouped by the part of the
citizen's path they belong to; :data:`BUILDERS` maps a screen name
(``kiosk.controller.SCREENS``) to its function."""
from __future__ import annotations

from . import ikm, notify, questions, start, status, ticket

#: Screen name → builder.
BUILDERS = {
    "welcome": start.welcome,
    "services": start.services,
    "question": questions.question,
    "ineligible": questions.ineligible,
    "priority": questions.priority,
    "checklist": ticket.checklist,
    "issuing": ticket.issuing,
    "confirmation": ticket.confirmation,
    "notice": ticket.notice,
    "status": status.status,
    "ikm": ikm.ikm,
    "ikm_done": ikm.ikm_done,
    "notify": notify.notify,
}
