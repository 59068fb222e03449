"""Gunicorn's access log (off by default; `--access-logfile` turns it on) without respondent
tokens or personal data: every value a log format can name (request line, path, query, headers,
environ) is scrubbed the way every other log line is (`core/log_privacy.py`). Widget iframes carry
their display reference in the query string and a respondent page is often the referrer of the
next request."""

from gunicorn.glogging import Logger

from glapp.core.log_privacy import scrub


class ScrubbedLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {name: scrub(value) if isinstance(value, str) else value for name, value in atoms.items()}
