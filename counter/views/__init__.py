"""The counter station's Kivy views, one module per mode: ``login``, ``loket``,
``work`` (back-office work queues), ``handover``; ``widgets`` holds the shared widget
classes (styled in ``counter/counter.kv``) and ``base`` the :class:`View` they extend.
Every text comes from :mod:`counter.texts`."""
