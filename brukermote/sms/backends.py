"""Where an SMS goes: the console (default; nothing leaves the machine) or Twilio.

Both answer ``send(to, body, status_callback) -> SendResult`` and raise ``TransientError`` (try again
later: 429, 5xx, timeouts, connection errors), ``ConfigurationError`` (401/403/404, Twilio 20003: our
credentials, account or base URL are wrong; stop and keep the message) or ``PermanentError`` (never
retry: invalid number 21211, opted out at the carrier 21610, any other 4xx). ``find_sent`` looks a message up at the provider, so a
row left "sending" by a worker that died can be settled without sending twice.
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass

from flask import current_app, has_app_context

log = logging.getLogger("brukermote.sms")

TWILIO_DEFAULT_BASE_URL = "https://api.twilio.com"
#: Twilio error codes that mean "this number will not take SMS from us".
OPTED_OUT_CODES = {21610}
INVALID_NUMBER_CODES = {21211, 21614, 21612, 21408}
#: HTTP statuses and Twilio codes that mean our configuration is wrong, not the recipient: 401/20003
#: authentication, 403 forbidden (account suspended, 20005), 404/20404 (wrong account SID or base URL).
CONFIGURATION_STATUSES = {401, 403, 404}
CONFIGURATION_CODES = {"20003", "20005", "20404"}


def setting(name: str, default=None):
    """A setting from the app config, else the environment, else the default."""
    value = current_app.config.get(name) if has_app_context() else None
    if value is None or value == "":
        value = os.environ.get(name)
    return default if value is None or value == "" else value


class BackendError(Exception):
    def __init__(self, message: str, code: str = "", status: int | None = None, maybe_sent: bool = False):
        super().__init__(message)
        self.code = str(code or "")
        self.status = status
        #: The request may have reached the provider (a read timeout): settle by looking it up, not resending.
        self.maybe_sent = maybe_sent


class TransientError(BackendError):
    """Try again later."""


class ConfigurationError(BackendError):
    """Our side is wrong (credentials, account, base URL): no message can go until it is fixed, so the
    batch stops and the message is left to send later rather than marked failed."""


class PermanentError(BackendError):
    """Never retry this message."""

    @property
    def opted_out(self) -> bool:
        return self.code.isdigit() and int(self.code) in OPTED_OUT_CODES


@dataclass
class SendResult:
    sid: str
    status: str = "sent"
    error_code: str = ""


def mask(phone: str | None) -> str:
    """For logs: never a whole phone number."""
    if not phone:
        return "-"
    return phone[:3] + "…" + phone[-2:]


class ConsoleBackend:
    name = "console"

    def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        sid = "console-" + uuid.uuid4().hex
        log.info("SMS (console, not sent) to %s [%s]: %s", mask(to), sid, body)
        return SendResult(sid=sid, status="sent")

    def find_sent(self, to: str, body: str, since, exclude: frozenset = frozenset()) -> str | None:
        return None

    can_look_up = False


class TwilioBackend:
    name = "twilio"
    can_look_up = True

    def __init__(self, account_sid: str, auth_token: str | None = None, api_key: str | None = None,
                 api_secret: str | None = None, from_: str | None = None, messaging_service_sid: str | None = None,
                 base_url: str | None = None, timeout: float = 15.0):
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        if not account_sid:
            raise RuntimeError("SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID")
        if not (from_ or messaging_service_sid):
            raise RuntimeError("SMS_BACKEND=twilio needs TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID")
        # The twilio library logs every request, payload included (numbers and texts), at INFO.
        logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
        http_client = TwilioHttpClient(timeout=timeout)
        if api_key and api_secret:
            self.client = Client(api_key, api_secret, account_sid, http_client=http_client)
        elif auth_token:
            self.client = Client(account_sid, auth_token, http_client=http_client)
        else:
            raise RuntimeError("SMS_BACKEND=twilio needs TWILIO_AUTH_TOKEN or TWILIO_API_KEY + TWILIO_API_SECRET")
        # The REST domain's base URL: Twilio's own by default, a test double on 127.0.0.1 in tests.
        self.client.api.base_url = (base_url or TWILIO_DEFAULT_BASE_URL).rstrip("/")
        self.from_ = from_
        self.messaging_service_sid = messaging_service_sid

    def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        kwargs = {"to": to, "body": body}
        if self.messaging_service_sid:
            kwargs["messaging_service_sid"] = self.messaging_service_sid
        else:
            kwargs["from_"] = self.from_
        if status_callback:
            kwargs["status_callback"] = status_callback
        try:
            message = self.client.messages.create(**kwargs)
        except TwilioRestException as exc:
            raise classify(exc.status, exc.code, exc.msg) from None
        except TwilioException as exc:  # no response at all (connection refused, reset, timeout)
            raise TransientError(str(exc)[:300]) from None
        except Exception as exc:  # requests' errors: connection refused, reset, timeouts
            import requests

            if isinstance(exc, requests.ReadTimeout | requests.exceptions.ChunkedEncodingError):
                # The request went out; Twilio may have created the message. Not resent blindly.
                raise TransientError(str(exc)[:300], "timeout", maybe_sent=True) from None
            if isinstance(exc, requests.ConnectionError) and not _never_connected(exc):
                # Reset or closed after the request was written ("Connection aborted"): it may have arrived.
                raise TransientError(str(exc)[:300], "timeout", maybe_sent=True) from None
            if isinstance(exc, requests.RequestException | OSError):
                raise TransientError(str(exc)[:300], "connection") from None
            raise
        return SendResult(sid=message.sid, status=message.status or "queued")

    def find_sent(self, to: str, body: str, since, exclude: frozenset = frozenset()) -> SendResult | None:
        """The SID and current status of a message with this body to this number created at or after ``since``, if Twilio
        has one among the latest 50 — never one in ``exclude`` (SIDs already recorded for other rows).

        The filter is on the creation time, not DateSent: a message still queued at Twilio has no
        DateSent yet and would be missed. Two reminders for one meeting have the same text, so without
        the time filter an earlier reminder would pass for the lost one.
        """
        for message in self.client.messages.list(to=to, limit=50):
            if (message.body or "") != body or message.sid in exclude:
                continue
            created = message.date_created
            if since is not None and created is not None and created < since:
                continue
            # Its status as Twilio has it now: the delivery report for it may have come while we had
            # no SID to match it to, and will not come again.
            return SendResult(sid=message.sid, status=message.status or "sent",
                              error_code=str(message.error_code or ""))
        return None


def _never_connected(exc) -> bool:
    """Whether a requests ConnectionError happened before the request could be written (refused, DNS,
    connect timeout), so the message surely did not reach Twilio."""
    import requests
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


def classify(status: int | None, code, message: str = "") -> BackendError:
    text = (message or "")[:300]
    if status is None or status == 429 or status >= 500:
        return TransientError(text, code or "", status)
    if status in CONFIGURATION_STATUSES or str(code or "") in CONFIGURATION_CODES:
        return ConfigurationError(text, code or "", status)
    return PermanentError(text, code or "", status)


def is_configuration_error(error_code: str) -> bool:
    """Whether a message's recorded error code (Twilio's code, else the HTTP status) is ours, not the
    recipient's."""
    return error_code in CONFIGURATION_CODES or error_code in {str(s) for s in CONFIGURATION_STATUSES}


def get_backend():
    name = (setting("SMS_BACKEND", "console") or "console").lower()
    if name == "console":
        return ConsoleBackend()
    if name == "twilio":
        return TwilioBackend(
            account_sid=setting("TWILIO_ACCOUNT_SID", ""),
            auth_token=setting("TWILIO_AUTH_TOKEN"),
            api_key=setting("TWILIO_API_KEY"),
            api_secret=setting("TWILIO_API_SECRET"),
            from_=setting("TWILIO_FROM"),
            messaging_service_sid=setting("TWILIO_MESSAGING_SERVICE_SID"),
            base_url=setting("TWILIO_API_BASE_URL", TWILIO_DEFAULT_BASE_URL),
            timeout=float(setting("TWILIO_TIMEOUT", 15)),
        )
    raise RuntimeError(f"Unknown SMS_BACKEND {name!r} (console or twilio)")
