"""Local stand-ins for the providers Loket messages through (issue 14), on 127.0.0.1:

* :class:`FakeProvider` — one HTTP server playing the WhatsApp Business Platform Cloud
  API (``POST /v21.0/{phone_number_id}/messages``, Bearer token, the Graph API's JSON
  answers and error bodies) and an HTTP SMS gateway (``POST /sms/send``, a form, an
  ``OK <id>`` / ``ERR <reason>`` text answer, as many Indonesian gateways do). It
  records every request and answers from a script (``script``: a list of
  :class:`Answer`, the default being success), optionally after a delay.
* :class:`SmtpServer` — aiosmtpd's SMTP server keeping the messages it received; it can
  be stopped (the mail server is down) and started again on the same port.
"""
from __future__ import annotations

import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WA_TOKEN = "EAAtest-token"


@dataclass
class Answer:
    """One scripted answer: HTTP ``status``, a Graph API error ``code`` (None = success),
    ``headers`` (e.g. Retry-After) and a ``delay`` in seconds before answering."""

    status: int = 200
    code: int | None = None
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    body: str | None = None  # the SMS gateway's text answer


def wa_error(code: int, status: int = 400, **kw) -> Answer:
    return Answer(status=status, code=code, **kw)


class FakeProvider:
    """WhatsApp Cloud API + SMS gateway on one loopback port; ``requests`` lists
    ``{"path", "auth", "json" | "form", "at"}`` in arrival order."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.script: list[Answer] = []
        self.delay = 0.0  # for every answer not scripted
        self._lock = threading.Lock()
        self._n = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                """Quiet: the tests read ``requests``, not a log."""

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                entry = {"path": self.path, "auth": self.headers.get("Authorization", ""), "at": time.time()}
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    entry["json"] = json.loads(raw or b"{}")
                else:
                    entry["form"] = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
                with provider._lock:
                    provider.requests.append(entry)
                    answer = provider.script.pop(0) if provider.script else Answer(delay=provider.delay)
                    provider._n += 1
                    n = provider._n
                if answer.delay:
                    time.sleep(answer.delay)
                if self.path.startswith("/sms/"):
                    self._sms(answer, entry, n)
                else:
                    self._whatsapp(answer, entry, n)

            def _reply(self, status: int, body: bytes, ctype: str, headers: dict) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers.items():
                    self.send_header(k, str(v))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:  # the client is gone (killed mid-send): nobody to answer
                    return

            def _whatsapp(self, answer: Answer, entry: dict, n: int) -> None:
                if entry["auth"] != f"Bearer {WA_TOKEN}":
                    answer = Answer(status=401, code=190)
                if answer.code is None and answer.status < 300:
                    to = entry.get("json", {}).get("to", "")
                    body = {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
                            "messages": [{"id": f"wamid.TEST{n:06d}"}]}
                else:
                    body = {"error": {"message": f"(#{answer.code}) scripted error", "type": "OAuthException",
                                      "code": answer.code, "error_data": {"messaging_product": "whatsapp",
                                                                          "details": "scripted"},
                                      "fbtrace_id": "Atest"}}
                self._reply(answer.status, json.dumps(body).encode(), "application/json", answer.headers)

            def _sms(self, answer: Answer, entry: dict, n: int) -> None:
                text = answer.body if answer.body is not None else f"OK msgid={n}"
                self._reply(answer.status, text.encode(), "text/plain", answer.headers)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def whatsapp_sent(self) -> list[dict]:
        """The WhatsApp request bodies received, in order."""
        return [r["json"] for r in self.requests if "json" in r]


class SmtpServer:
    """aiosmtpd on 127.0.0.1 (plain SMTP, as a local relay); ``messages`` holds each
    received message (``email.message.EmailMessage``)."""

    def __init__(self, port: int | None = None) -> None:
        from loket.devserver import free_port
        self.port = port or free_port()
        self.messages: list = []
        self._controller = None

    def start(self) -> SmtpServer:
        from aiosmtpd.controller import Controller

        server = self

        class Handler:
            async def handle_DATA(self, _server, _session, envelope):
                server.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
                return "250 OK"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
