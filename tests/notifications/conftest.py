from tests.distribution.conftest import smtp  # noqa: F401 - a real SMTP server on loopback for notification e-mails
