"""The channels a message goes by (issue 14 item 2): one interface, a fake for tests and
a real driver for each provider.

Every driver's :meth:`Channel.send` returns the provider's message id or raises
:class:`SendError` saying whether the failure is permanent (never retried: an invalid
number, a refused address, a template the provider does not know) or temporary (retried
after ``retry_after`` seconds when the provider said so, else on the outbox's backoff).
Secrets are read at send time from the environment (or a file), so a rotated token needs
no restart and none is ever in the office file or the database.
"""
from __future__ import annotations

import json
import os
import re
import smtplib
import ssl
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html import escape
from pathlib import Path
from typing import Protocol

from ..domain import notify as rules
from ..domain.notify import EmailSettings, SmsSettings, WhatsAppSettings


class SendError(Exception):
    """A message was not accepted. ``permanent``: do not retry; ``retry_after``: the
    provider's own wait in seconds (None = the outbox's backoff); ``code``: the
    provider's error code or the local reason (``"connection"``, ``"timeout"``)."""

    def __init__(self, message: str, *, permanent: bool, retry_after: float | None = None, code: str = ""):
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after
        self.code = code


@dataclass(frozen=True)
class Outgoing:
    """What a driver needs of one outbox row: ``ref_id`` is the row's id (stable across
    retries: gateways that de-duplicate get it as ``{ref}``, email as its Message-ID)."""

    ref_id: int
    kind: str
    recipient: str
    text: str
    params: dict
    lang: str = "id"
    office_name: str = ""


class Channel(Protocol):
    """One way of reaching a citizen."""

    name: str

    def send(self, msg: Outgoing) -> str:
        """Hand ``msg`` to the provider; returns its message id. Raises :class:`SendError`."""
        ...


class FakeChannel:
    """Records what it is given (``sent``: list of :class:`Outgoing`); ``failures`` is a
    list of :class:`SendError` raised by the next sends, in order."""

    def __init__(self, name: str = "fake") -> None:
        self.name = name
        self.sent: list[Outgoing] = []
        self.failures: list[SendError] = []
        self._lock = threading.Lock()

    def send(self, msg: Outgoing) -> str:
        with self._lock:
            if self.failures:
                raise self.failures.pop(0)
            self.sent.append(msg)
            return f"fake-{len(self.sent)}"


def _secret(env_name: str, file_name: str = "") -> str:
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as e:
            raise SendError(f"token file unreadable: {e.strerror}", permanent=False, retry_after=600,
                            code="config") from None
    return os.environ.get(env_name, "").strip()


def _retry_after(headers) -> float | None:
    value = (headers or {}).get("Retry-After") if headers is not None else None
    try:
        return max(1.0, float(value)) if value else None
    except ValueError:
        return None


def _http(req: urllib.request.Request, timeout: float) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one HTTP exchange; 4xx/5xx are answers, not raised.
    A failure to connect or a timeout raises a temporary :class:`SendError`."""
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read(65536)
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers or {}), e.read(65536) if e.fp else b""
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        code = "timeout" if "timed out" in str(reason) else "connection"
        raise SendError(f"provider unreachable: {reason}", permanent=False, code=code) from None


class WhatsAppCloudChannel:
    """WhatsApp Business Platform, Cloud API: ``POST {api_base}/{phone_number_id}/messages``
    with ``Authorization: Bearer <token>``. A kind with an approved template in the
    settings goes as ``type: template`` (body parameters in ``template_params`` order);
    one without goes as ``type: text``, which WhatsApp delivers only inside the 24-hour
    window after the citizen's own message. Error answers (Graph API ``error.code``):
    throughput/pair-rate/spam limits (4, 80007, 130429, 131048, 131056) and HTTP 429 →
    later, after ``Retry-After`` when given; service errors (1, 2, 131000, 131016,
    133004) and HTTP 5xx → later; an expired or missing token (0, 10, 190, 3) → later,
    after 15 min (an admin renews it; nothing is lost); anything else (an invalid or
    non-WhatsApp number 131026, a parameter or template error 100/131008/132000…) →
    permanent."""

    name = rules.WHATSAPP
    RATE_LIMIT = frozenset({4, 80007, 130429, 131048, 131056})
    TEMPORARY = frozenset({1, 2, 131000, 131016, 133004})
    AUTH = frozenset({0, 3, 10, 190})

    def __init__(self, settings: WhatsAppSettings, timeout: float = 15.0) -> None:
        self.settings = settings
        self.timeout = timeout

    def body(self, msg: Outgoing) -> dict:
        """The JSON request body for ``msg`` (as the Cloud API documents it)."""
        to = msg.recipient.lstrip("+")
        template = self.settings.templates.get(msg.kind)
        if template:
            names = self.settings.template_params.get(msg.kind, ())
            parameters = [{"type": "text", "text": str(msg.params.get(n, "")) or "-"} for n in names]
            tpl: dict = {"name": template, "language": {"code": self.settings.language if msg.lang != "en" else "en"}}
            if parameters:
                tpl["components"] = [{"type": "body", "parameters": parameters}]
            return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "template",
                    "template": tpl}
        return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "text",
                "text": {"preview_url": False, "body": msg.text}}

    def send(self, msg: Outgoing) -> str:
        token = _secret(self.settings.token_env, self.settings.token_file)
        if not token:
            raise SendError(f"no WhatsApp access token (set {self.settings.token_env})", permanent=False,
                            retry_after=900, code="config")
        url = f"{self.settings.api_base.rstrip('/')}/{self.settings.phone_number_id}/messages"
        req = urllib.request.Request(url, data=json.dumps(self.body(msg)).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        status, headers, raw = _http(req, self.timeout)
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            answer = {}
        if 200 <= status < 300 and answer.get("messages"):
            return str(answer["messages"][0].get("id", ""))
        err = answer.get("error") or {}
        code = err.get("code")
        text = f"WhatsApp {status} #{code}: {err.get('message') or raw[:200].decode('utf-8', 'replace')}"
        if status == 429 or code in self.RATE_LIMIT:
            raise SendError(text, permanent=False, retry_after=_retry_after(headers) or 60.0, code=str(code or 429))
        if status >= 500 or code in self.TEMPORARY:
            raise SendError(text, permanent=False, retry_after=_retry_after(headers), code=str(code or status))
        if code in self.AUTH or (isinstance(code, int) and 200 <= code <= 299) or status == 401:
            raise SendError(text, permanent=False, retry_after=900, code=str(code or status))
        raise SendError(text, permanent=True, code=str(code or status))


class HttpSmsChannel:
    """An HTTP SMS gateway: ``url`` and ``body`` are filled with ``{to}``, ``{text}``,
    ``{ref}`` and ``{token}`` (URL-encoded, or JSON-escaped for a JSON body); sent when
    the answer is 2xx and matches ``success_pattern``. 429 and 5xx → later (after
    ``Retry-After`` when given); any other answer → permanent (the gateway refused it:
    resending would not change that, and could send it twice)."""

    name = rules.SMS

    def __init__(self, settings: SmsSettings, timeout: float = 15.0) -> None:
        self.settings = settings
        self.timeout = timeout

    def _values(self, msg: Outgoing) -> dict[str, str]:
        to = msg.recipient.lstrip("+") if self.settings.strip_plus else msg.recipient
        return {"to": to, "text": msg.text, "ref": f"loket-{msg.ref_id}",
                "token": os.environ.get(self.settings.token_env, "")}

    @staticmethod
    def _fill(template: str, values: dict[str, str], encode) -> str:
        return re.sub(r"\{(to|text|ref|token)\}", lambda m: encode(values[m.group(1)]), template)

    def request(self, msg: Outgoing) -> urllib.request.Request:
        """The HTTP request for ``msg``."""
        values = self._values(msg)
        url = self._fill(self.settings.url, values, lambda v: urllib.parse.quote(v, safe=""))
        if self.settings.method == "GET":
            return urllib.request.Request(url, method="GET")
        if "json" in self.settings.content_type:
            body = self._fill(self.settings.body, values, lambda v: json.dumps(v, ensure_ascii=False)[1:-1])
        else:
            body = self._fill(self.settings.body, values, lambda v: urllib.parse.quote_plus(v))
        return urllib.request.Request(url, data=body.encode(), method="POST",
                                      headers={"Content-Type": self.settings.content_type})

    def send(self, msg: Outgoing) -> str:
        status, headers, raw = _http(self.request(msg), self.timeout)
        body = raw.decode("utf-8", "replace")
        if 200 <= status < 300 and (not self.settings.success_pattern or
                                    re.search(self.settings.success_pattern, body)):
            m = re.search(r'"?(?:message_?id|msgid|id)"?\s*[:=]\s*"?([\w.-]+)', body, re.IGNORECASE)
            return m.group(1) if m else f"sms-{msg.ref_id}"
        text = f"SMS gateway {status}: {body[:200]}"
        if status == 429 or status >= 500:
            raise SendError(text, permanent=False, retry_after=_retry_after(headers), code=str(status))
        raise SendError(text, permanent=True, code=str(status))


class SmtpEmailChannel:
    """Email through an SMTP server (``smtplib``): STARTTLS, SSL or plain (a local relay),
    login when a username is set (password from ``password_env``). Plain text plus a
    simple HTML part; the Message-ID is derived from the outbox row. A refused recipient
    or a 5xx answer → permanent; a refused connection, a timeout, a 4xx answer or a
    failed login → later."""

    name = rules.EMAIL

    SUBJECTS = {"booking_confirmed": ("Antrean online terdaftar", "Visit booked"),
                "booking_reminder": ("Pengingat antrean online besok", "Reminder: your visit tomorrow"),
                "ticket_near": ("Giliran Anda sebentar lagi", "Your turn is near"),
                "ticket_called": ("Nomor Anda dipanggil", "Your number is called"),
                "berkas_returned": ("Berkas dikembalikan", "File returned"),
                "card_ready": ("Dokumen siap diambil", "Document ready for pickup"),
                "card_uncollected": ("Dokumen belum diambil", "Document not collected yet"),
                "ikm_survey": ("Survei kepuasan layanan", "Service satisfaction survey"),
                "test": ("Pesan uji Loket", "Loket test message")}

    def __init__(self, settings: EmailSettings) -> None:
        self.settings = settings

    def message(self, msg: Outgoing) -> EmailMessage:
        """The email for ``msg``."""
        s = self.settings
        subject = self.SUBJECTS.get(msg.kind, ("Pemberitahuan", "Notice"))[1 if msg.lang == "en" else 0]
        em = EmailMessage()
        em["From"] = s.sender
        em["To"] = msg.recipient
        em["Subject"] = f"{msg.office_name}: {subject}" if msg.office_name else subject
        em["Date"] = formatdate(localtime=False)
        em["Message-ID"] = make_msgid(idstring=f"loket-{msg.ref_id}", domain=s.sender.rsplit("@", 1)[-1])
        em.set_content(msg.text + "\n")
        linked = re.sub(r"(https?://[^\s<]+)", r'<a href="\1">\1</a>', escape(msg.text))
        em.add_alternative(f'<!doctype html><html lang="{msg.lang}"><body style="font-family:sans-serif;'
                           f'font-size:16px;line-height:1.5"><p>{linked}</p></body></html>', subtype="html")
        return em

    def send(self, msg: Outgoing) -> str:
        s = self.settings
        em = self.message(msg)
        try:
            if s.security == "ssl":
                server = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=ssl.create_default_context())
            else:
                server = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            with server:
                if s.security == "starttls":
                    server.starttls(context=ssl.create_default_context())
                if s.username:
                    server.login(s.username, os.environ.get(s.password_env, ""))
                server.send_message(em)
        except smtplib.SMTPRecipientsRefused as e:
            raise SendError(f"SMTP refused {msg.recipient}: {e.recipients}", permanent=True, code="refused") from None
        except smtplib.SMTPAuthenticationError as e:
            raise SendError(f"SMTP login failed: {e.smtp_code}", permanent=False, retry_after=900,
                            code=str(e.smtp_code)) from None
        except smtplib.SMTPResponseException as e:
            raise SendError(f"SMTP {e.smtp_code}: {e.smtp_error!r}", permanent=e.smtp_code >= 500,
                            code=str(e.smtp_code)) from None
        except (smtplib.SMTPException, OSError) as e:
            raise SendError(f"SMTP server unreachable: {e}", permanent=False, code="connection") from None
        return str(em["Message-ID"])


def driver_for(policy: rules.NotificationPolicy, channel: str) -> Channel | None:
    """The real driver of ``channel`` with the office's settings (None for
    ``wa_manual``, which an officer sends, or a channel without settings)."""
    if channel == rules.WHATSAPP and policy.whatsapp:
        return WhatsAppCloudChannel(policy.whatsapp)
    if channel == rules.SMS and policy.sms:
        return HttpSmsChannel(policy.sms)
    if channel == rules.EMAIL and policy.email:
        return SmtpEmailChannel(policy.email)
    return None
