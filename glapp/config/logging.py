"""Structured logging: JSON lines in production, key=value in a terminal.

No personal data in the logs, in either mode: a traceback is kept in full (frames, exception
type and message) but never with the frames' local variables, which hold request bodies,
answers and customer records; request bodies are never logged; and every string of a line is
scrubbed of personal data and respondent tokens (`core/log_privacy.py`)."""

import logging

import structlog
from structlog.tracebacks import ExceptionDictTransformer

from glapp.core.log_privacy import scrub_event


class ClientErrorsWithoutTraceback(logging.Filter):
    """A 4xx (a refused permission, a page that is not there) is the client's doing: Django logs
    it with the exception that produced it, which renders as a long traceback per request and
    buries the real errors. Keep the one line; 5xx keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.request" and getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class PersonalPathsMasked(logging.Filter):
    """Django logs every 4xx and 5xx with the request's path ("Not Found: /api/v1/customers/…"):
    the path is logged as the request log writes it, with a customer's id or a respondent's
    token replaced by the parameter's name (`core.middleware.loggable_path`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None and isinstance(record.args, tuple):
            from glapp.core.middleware import loggable_path  # Django is set up by the time a request logs

            path = getattr(request, "path", None)
            record.args = tuple(loggable_path(request) if arg == path else arg for arg in record.args)
        return True


def build_logging(json: bool, level: str = "INFO") -> dict:
    if json:
        # The traceback as data (frames, exception type and message), never the frames' locals.
        tracebacks = structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False))
        renderer = structlog.processors.JSONRenderer()
    else:
        # Plain text, as Python prints it: rich's pretty traceback shows every frame's locals.
        tracebacks = structlog.processors.format_exc_info
        renderer = structlog.dev.ConsoleRenderer(colors=False)
    pre_chain = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        # A line below the logger's level is dropped first, before its processors run (the request
        # log's line on every request, at WARNING).
        processors=[structlog.stdlib.filter_by_level, *pre_chain,
                    structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [structlog.stdlib.ProcessorFormatter.remove_processors_meta, tracebacks,
                               scrub_event, renderer],
                "foreign_pre_chain": pre_chain,
            }
        },
        "filters": {"client_errors": {"()": ClientErrorsWithoutTraceback},
                    "personal_paths": {"()": PersonalPathsMasked}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured",
                                 "filters": ["client_errors"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # Through the structured handler (Django's own prints the raw request line, token and all).
            "django.server": {"level": "WARNING", "propagate": True},
            # On the logger, not a handler: every handler (and a test's log capture) sees it masked.
            "django.request": {"filters": ["personal_paths"]},
        },
    }
