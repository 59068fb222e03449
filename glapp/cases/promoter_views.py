"""Pages of the cases app that are not the staff's: the tracked link in a promoter's thank-you."""

from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.views.decorators.http import require_GET

from glapp.cases import promoters


@require_GET
def promoter_link(request: HttpRequest, token: str):
    """Counts the click and sends the customer on to their unit's review page, the one stored
    with the ask: the address is never taken from the request (no open redirect)."""
    url = promoters.follow_link(token)
    if url is None:
        raise Http404
    response = HttpResponseRedirect(url)
    response["Referrer-Policy"] = "no-referrer"  # the token stays out of the review site's logs
    response["Cache-Control"] = "no-store"
    return response
