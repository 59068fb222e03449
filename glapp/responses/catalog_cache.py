"""A per-process cache of each organization's `Catalog` for the API's hot path.

Loading the catalog is four queries; an integration sending one response per request would
pay them every time although surveys, touchpoints and units rarely change. So:

- a catalog is reused for at most `MAX_AGE` seconds;
- a change saved in this process drops the organization's entry at once (signals);
- a request that fails validation is checked again against a freshly loaded catalog before the
  errors are returned, so something just added in another process (a new survey, unit,
  question or option) is never refused. What a stale catalog could still let through for up to
  `MAX_AGE` seconds is a response to something removed a moment ago elsewhere.
"""

import threading
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from glapp.accounts.models import Unit
from glapp.journeys.models import Touchpoint
from glapp.responses.catalog import Catalog
from glapp.surveys.models import Question, Survey, SurveyVersion

MAX_AGE = 10.0



@dataclass
class Names:
    """Id → code maps, so a stored response can be described without reading it back."""

    catalog: Catalog
    surveys: dict[int, str] = field(init=False)
    touchpoints: dict[int, str] = field(init=False)
    units: dict[int, str] = field(init=False)
    questions: dict[int, tuple[int, str]] = field(init=False)  # id → (position, key)

    def __post_init__(self):
        c = self.catalog
        self.surveys = {s.id: s.code for s in c.surveys.values()}
        self.touchpoints = {tid: code for code, tid in c.touchpoints.items()}
        self.units = {uid: code for code, uid in c.units.items()}
        self.questions = {q.id: (q.position, q.key) for s in c.surveys.values() for q in s.questions.values()}


_entries: dict[int, tuple[float, Names]] = {}
_lock = threading.Lock()


def get(organization_id: int, *, fresh: bool = False) -> Names:
    now = time.monotonic()
    if not fresh:
        entry = _entries.get(organization_id)
        if entry is not None and now - entry[0] < MAX_AGE:
            return entry[1]
    names = Names(Catalog.load(organization_id))
    with _lock:
        _entries[organization_id] = (now, names)
    return names


def forget(organization_id: int | None = None) -> None:
    with _lock:
        if organization_id is None:
            _entries.clear()
        else:
            _entries.pop(organization_id, None)


def _changed(sender, instance, **kwargs) -> None:
    org_id = instance.organization_id
    forget(org_id)
    # Also after commit: a request may have reloaded the old rows while the change was uncommitted.
    transaction.on_commit(lambda: forget(org_id))


def connect() -> None:
    """Forget an organization's names when any of them changes (called from the app's ready())."""
    for model in (Survey, SurveyVersion, Question, Touchpoint, Unit):
        post_save.connect(_changed, sender=model, dispatch_uid=f"api-catalog-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"api-catalog-delete-{model.__name__}")
