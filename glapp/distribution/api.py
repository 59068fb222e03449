"""Distribution API: touchpoint events, invitations, bounces."""

from ninja import Router

router = Router(tags=["events"])
