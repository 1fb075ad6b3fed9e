"""The HTTP JSON API under ``/api/v1``, one blueprint per resource: ``public`` (offices,
services, requirements, queue, status, IKM, health), ``auth`` (login, staff, devices,
audit), ``tickets`` (tickets and counter actions), ``applications`` (berkas, work queues,
pickups), ``events`` (the SSE stream), ``bookings`` (antrean online), ``messages`` (the outbox), ``online`` (applications from home, uploads, distribution batches), ``reports`` and ``live`` (the live dashboard and
the browser display's voice). Each handler parses, calls one
operation and answers JSON; ``common`` holds the request helpers."""
from __future__ import annotations

from . import applications, auth, bookings, events, live, messages, online, public, reports, tickets

#: Registered by the app factory, in this order.
BLUEPRINTS = (public.bp, auth.bp, tickets.bp, applications.bp, events.bp, reports.bp, live.bp, bookings.bp,
              messages.bp, online.bp)
