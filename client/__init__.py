"""The one client of the Loket queue server (no Kivy, no Flask).

``client.http.Client`` speaks the HTTP JSON API under ``/api/v1`` with one error type
(:class:`client.http.ApiError`) and one retry policy; ``client.sse.EventFeed`` follows
the server-sent event stream with ``Last-Event-ID`` resume and a heartbeat timeout;
``client.protocol`` holds what both sides of the wire agree on (event names, the error
shape, the code alphabet) and is imported by the server too.
"""
