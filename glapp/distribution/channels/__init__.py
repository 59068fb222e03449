"""Channels that deliver invitations: e-mail (Django's mail API) and SMS (a provider adapter).

Each raises one of the errors below so the dispatcher can decide without knowing the channel:
a rejected address is a bounce (never retried), a temporary failure is retried later, any
other failure ends the invitation as failed.
"""


class DeliveryError(Exception):
    """Sending failed for a reason that retrying will not fix (configuration, a refused message)."""


class Rejected(DeliveryError):
    """The recipient's address does not exist or refuses mail: a hard bounce."""


class TemporaryFailure(DeliveryError):
    """The server or network failed for now (timeouts, 4xx, 5xx of a provider): retry later."""
