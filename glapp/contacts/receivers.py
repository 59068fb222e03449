"""What contacts hears: an organization created with its customers' time zone gets its contact
policy in that zone (without one, the policy keeps its defaults until someone saves it)."""

from glapp.contacts.actions import ensure_contact_policy, update_contact_policy
from glapp.core import events


def on_organization_created(event: events.OrganizationCreated) -> None:
    if event.time_zone:
        update_contact_policy(ensure_contact_policy(event.organization_id), time_zone=event.time_zone)


def connect() -> None:
    events.OrganizationCreated.connect(on_organization_created)
