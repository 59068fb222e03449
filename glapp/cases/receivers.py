"""What the cases app hears from the apps below it."""


def connect() -> None:
    pass
