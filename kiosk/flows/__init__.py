"""The kiosk's flows: ``base`` (the controller's core, screens, runners), ``visit``
(service to ticket), ``status`` (status check by code) and ``ikm`` (the survey)."""
