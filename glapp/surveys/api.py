"""Surveys API: CRUD, lint and publish."""

from ninja import Router

router = Router(tags=["surveys"])
