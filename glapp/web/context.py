"""What every page's frame (navigation, switchers) needs to know."""

from django.utils.functional import SimpleLazyObject

from glapp.accounts.queries import memberships_of
from glapp.cases.queries import open_case_count
from glapp.notifications.queries import unread_count


def glapp_context(request):
    access = getattr(request, "access", None)
    if access is None:
        return {}
    units = getattr(request, "scope_units", [])
    # The first unit of a scoped access is its own root (the shortest path sorts first).
    scope_unit = units[0] if not access.whole_organization and units else None
    return {
        "access": access,
        "current_org": access.organization,
        "scope_unit": scope_unit,
        # Navigation shows only what the role may open (the views check again).
        "can_import": access.can("import"),
        "can_manage_keys": access.can("manage_keys"),
        "can_manage": access.can("manage"),
        "can_erase": access.can_for_organization("manage"),
        "is_owner": access.role == "owner",
        # Only pages that render the organization switcher pay for this query.
        "memberships": SimpleLazyObject(lambda: list(memberships_of(request.user))),
        # The bell: one indexed count, only when the page's frame shows it.
        "unread_notifications": SimpleLazyObject(lambda: unread_count(access.organization_id, request.user.pk)),
        # The reader's own open cases beside "Cases" (one count on the owner index), for those who work them.
        "my_open_cases": (SimpleLazyObject(lambda: open_case_count(access, request.user.pk))
                          if access.can("cases") else 0),
    }
