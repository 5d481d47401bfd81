"""Hardening for every response and every log line.

- Headers: no sniffing, no framing by other sites, a strict Content-Security-Policy on
  HTML that sets none itself, and HSTS when the public address is https.
- Behind a TLS proxy: PROXY_COUNT trusted hops for the client address and scheme.
- Logs: phone numbers keep their last three digits, page-link tokens are hidden, whoever
  logs them (the app, gunicorn's access log, a library), in messages and tracebacks alike.
"""

import logging
import re

from flask import Flask, Response, current_app
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.security import generate_password_hash

from app.config import is_https
from app.phone import mask_phone

DEFAULT_CSP = (
    "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
# A host a page may play a video from: https, a plain host name, an optional port. Nothing
# else may reach a policy (a ';' would start a directive of its own).
_MEDIA_ORIGIN = re.compile(r"https://[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::\d{1,5})?")

# +46701234567, 0701234567, 070-123 45 67 …: a + or a leading 0, then 7+ more digits with
# optional spaces or hyphens. Dates, times and ids do not start that way.
_PHONE = re.compile(r"(?<![\w/:.+-])(?:\+\d|0\d)[\d -]{5,}\d(?![\w:])")
_PAGE_TOKEN = re.compile(r"(/p/)[A-Za-z0-9_-]{8,}")


def mask(text: str) -> str:
    """A log line with phone numbers and page-link tokens masked."""
    text = _PAGE_TOKEN.sub(r"\1<token>", text)
    return _PHONE.sub(lambda m: mask_phone(m.group(0)), text)


def content_security_policy(media_origin: str | None = None) -> str:
    """The strict policy, allowing media (a page's sign-language video) from exactly one
    https host when given; everything else stays 'self'. A malformed origin adds nothing."""
    if media_origin is None or not _MEDIA_ORIGIN.fullmatch(media_origin):
        return DEFAULT_CSP
    return f"{DEFAULT_CSP}; media-src {media_origin}"


_TRACEBACKS = logging.Formatter()


class MaskingFilter(logging.Filter):
    """Masks the formatted message of every record it sees (its arguments included), and
    its traceback and stack: a database error's text can carry a phone number."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is logged as it is
            message = None
        if message is not None:
            masked = mask(message)
            if masked != message:
                record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # Formatters print exc_text when it is set, so the masked one is what they show.
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


def install_log_masking() -> None:
    """Put the filter on the root handlers and on gunicorn's loggers."""
    masking = MaskingFilter()
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(masking)
    for name in ("gunicorn.access", "gunicorn.error", "werkzeug"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskingFilter) for f in logger.filters):
            logger.addFilter(masking)
        for handler in logger.handlers:
            if not any(isinstance(f, MaskingFilter) for f in handler.filters):
                handler.addFilter(masking)


def init_app(app: Flask) -> None:
    """Security headers on every response; proxy headers when behind a TLS proxy."""
    hops = app.config["PROXY_COUNT"]
    if hops:
        # Flask's documented way to add WSGI middleware; typeshed sees a method being replaced.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    https = is_https(app.config["PUBLIC_BASE_URL"])

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
        if https:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response

    install_log_masking()


def hash_secret(secret: str) -> str:
    """A salted hash of a staff password or a client's PIN, by SECRET_HASH_METHOD (scrypt:
    slow on purpose, so a stolen table is slow to guess from). Checking reads the method
    from the hash itself, so any stored hash stays valid."""
    return generate_password_hash(secret, method=current_app.config["SECRET_HASH_METHOD"])
