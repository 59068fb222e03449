"""Gunicorn's access log (off by default; `--access-logfile` turns it on) without respondent
tokens or personal data: the request line, path, query and referrer are scrubbed the way every
other log line is (`core/log_privacy.py`). Widget iframes carry their display reference in the
query string and a respondent page is often the referrer of the next request."""

from gunicorn.glogging import Logger

from glapp.core.log_privacy import scrub

SCRUBBED_ATOMS = ("r", "U", "q", "f", "{referer}i")


class ScrubbedLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name in SCRUBBED_ATOMS:
            if isinstance(atoms.get(name), str):
                atoms[name] = scrub(atoms[name])
        return atoms
