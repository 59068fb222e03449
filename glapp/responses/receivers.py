"""Import jobs keep a copy of their importer's unit path: a unit move rewrites it. The API's
per-process catalog forgets an organization's names when one of them changes."""

from glapp.core import events
from glapp.responses import catalog_cache
from glapp.responses.actions import follow_unit_move


def on_unit_moved(event: events.UnitMoved) -> None:
    follow_unit_move(event.organization_id, event.old_path, event.new_path)


def connect() -> None:
    catalog_cache.connect()
    events.UnitMoved.connect(on_unit_moved)
