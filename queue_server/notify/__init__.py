"""Messages to citizens (issue 14): the outbox (:mod:`.outbox`), the channels
(:mod:`.channels`), the sender (:mod:`.sender`) and the triggers (:mod:`.triggers`).
The rules (policy, texts, retry schedule) are pure: :mod:`queue_server.domain.notify`."""
