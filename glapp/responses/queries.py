"""Reads of responses: filtered, unit-scoped and cursor-paginated. Used by the API, the web
list and the CSV export alike, so all three agree on what a filter means."""

import datetime as dt
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from glapp.accounts.models import Unit
from glapp.accounts.queries import Access
from glapp.contacts.queries import erased_among
from glapp.core.errors import FieldError, ValidationFailed
from glapp.core.pagination import decode_cursor, encode_cursor
from glapp.core.pii import redact as redact_pii
from glapp.responses.models import Answer, IdempotencyRecord, ImportJob, ImportSource, Response
from glapp.surveys import question_types as qt


@dataclass
class ResponseFilter:
    survey: str | None = None  # survey code
    touchpoint: str | None = None  # touchpoint code
    unit: str | None = None  # unit code: that unit and everything below it
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive
    score_type: str = qt.NPS
    score_min: int | None = None
    score_max: int | None = None
    has_comment: bool | None = None
    q: str | None = None  # words in the comment

    # The export's URL parameters (the API's names): parsed and written here, side by side, so the
    # responses list's "Export" link and the export view cannot drift apart.
    @classmethod
    def from_params(cls, params) -> "ResponseFilter":
        """Raises ValueError for a malformed date or number."""
        def date(name):
            value = params.get(name) or None
            return dt.date.fromisoformat(value) if value else None

        def number(name):
            value = params.get(name) or None
            return int(value) if value is not None else None

        has_comment = params.get("has_comment")
        return cls(
            survey=params.get("survey") or None, touchpoint=params.get("touchpoint") or None,
            unit=params.get("unit") or None, date_from=date("from"), date_to=date("to"),
            score_type=params.get("score_type") or qt.NPS, score_min=number("score_min"),
            score_max=number("score_max"),
            has_comment=None if has_comment in (None, "") else has_comment.lower() in {"1", "true", "yes", "on"},
            q=params.get("q") or None,
        )

    def audit_params(self) -> dict:
        """The filter for the audit log: words searched for may name a person, so only whether
        there were any is kept."""
        params = self.to_params()
        if params.get("q"):
            params["q"] = "(words)"
        return params

    def to_params(self) -> dict:
        """The parameters `from_params` reads back as this filter (empty ones left out)."""
        scored = self.score_min is not None or self.score_max is not None
        params = {
            "survey": self.survey, "touchpoint": self.touchpoint, "unit": self.unit,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "score_type": self.score_type if scored else None, "score_min": self.score_min,
            "score_max": self.score_max,
            "has_comment": None if self.has_comment is None else ("true" if self.has_comment else "false"),
            "q": self.q,
        }
        return {k: v for k, v in params.items() if v not in (None, "")}


def scoped_responses(access: Access) -> QuerySet:
    return Response.objects.for_org(access.organization).filter(access.unit_filter())


def unit_and_days(organization_id: int, unit: str | None, date_from: dt.date | None, date_to: dt.date | None,
                  prefix: str = "") -> Q:
    """Responses under a unit (by code: that unit and below) and within inclusive days in the
    organization's time zone, compared as instants so the time index is used. `prefix` reaches
    the response from another model (e.g. "response__")."""
    q = Q()
    if unit:
        found = Unit.objects.for_org(organization_id).filter(code=unit).only("path").first()
        if found is None:
            raise ValidationFailed([FieldError("unit", f"no unit with code '{unit[:80]}'", "unknown")])
        q &= Unit.subtree_filter(f"{prefix}unit__path", found.path)
    tz = timezone.get_current_timezone()
    if date_from:
        q &= Q(**{f"{prefix}submitted_at__gte": dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)})
    if date_to:
        q &= Q(**{f"{prefix}submitted_at__lt": dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min,
                                                                     tzinfo=tz)})
    return q


def filtered_responses(access: Access, f: ResponseFilter) -> QuerySet:
    qs = scoped_responses(access)
    if f.survey:
        qs = qs.filter(survey__code=f.survey)
    if f.touchpoint:
        qs = qs.filter(touchpoint__code=f.touchpoint)
    qs = qs.filter(unit_and_days(access.organization_id, f.unit, f.date_from, f.date_to))
    if f.score_min is not None or f.score_max is not None:
        if f.score_type not in qt.SCORE_TYPES:
            raise ValidationFailed([FieldError("score_type", f"must be one of: {', '.join(qt.SCORE_TYPES)}")])
        answers = Answer.objects.filter(response=OuterRef("pk"), question_type=f.score_type)
        if f.score_min is not None:
            answers = answers.filter(number__gte=f.score_min)
        if f.score_max is not None:
            answers = answers.filter(number__lte=f.score_max)
        qs = qs.filter(Exists(answers))
    if f.has_comment is not None:
        qs = qs.filter(has_comment=f.has_comment)
    if f.q:
        comments = Answer.objects.filter(response=OuterRef("pk"), question_type=qt.TEXT)
        for term in search_terms(f.q):
            comments = comments.filter(text__icontains=term)
        qs = qs.filter(Exists(comments))
    return qs


MAX_TERMS = 8
_TERM = re.compile(r'"([^"]+)"|(\S+)')
_OPERATORS = {"AND", "OR", "NOT"}


def search_terms(q: str | None) -> list[str]:
    """Words and "quoted phrases" of a search box; a trailing * is dropped (the search already
    matches inside words) and query-language operators are ignored. A comment matches when it
    holds every term: the responses list, the export, the API and the verbatim explorer agree."""
    terms: list[str] = []
    for phrase, word in _TERM.findall(q or ""):
        term = (phrase or word).strip().strip("*()").strip()
        if term and term not in _OPERATORS and term.casefold() not in (t.casefold() for t in terms):
            terms.append(term[:100])
    return terms[:MAX_TERMS]



def with_details(qs: QuerySet) -> QuerySet:
    return qs.select_related("survey", "touchpoint", "unit", "customer").prefetch_related(
        Prefetch("answers", queryset=Answer.objects.select_related("question").order_by("question__position"))
    )


def response_for(access: Access, response_id: int) -> Response | None:
    """One response within the caller's organization and units (None otherwise: it does not
    exist for them), with everything its page shows: two queries however many answers it has."""
    return (scoped_responses(access).filter(pk=response_id)
            .select_related("survey__current_version", "survey_version", "touchpoint__stage__journey", "unit",
                            "customer__unit")
            .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("question")
                                       .order_by("question__position", "question_id")))
            .first())


def response_id_of_answer(access: Access, answer_id: int) -> int | None:
    """The response an answer (a comment) belongs to, if the caller may see it."""
    return (Answer.objects.filter(pk=answer_id, response__in=scoped_responses(access).values("id"))
            .values_list("response_id", flat=True).first())


def page_of_customer_responses(access: Access, customer_id: int, cursor: str | None, limit: int,
                               exclude: int | None = None) -> tuple[list[Response], str | None]:
    """A customer's responses within the caller's units, newest first, a page at a time (the
    cursor as in `page_of_responses`); `exclude` leaves one out (the response being read)."""
    qs = scoped_responses(access).filter(customer_id=customer_id).order_by("-submitted_at", "-id")
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if cursor:
        stamp, pk = decode_cursor(cursor)
        qs = qs.filter(Q(submitted_at__lt=stamp) | Q(submitted_at=stamp, id__lt=pk))
    rows = list(with_details(qs)[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1].submitted_at, rows[limit - 1].pk) if len(rows) > limit else None
    return rows[:limit], next_cursor


def page_of_responses(access: Access, f: ResponseFilter, cursor: str | None, limit: int
                      ) -> tuple[list[Response], str | None]:
    """Newest first. The cursor is the last row's (submitted_at, id), so pages never skip or
    repeat rows while new responses arrive."""
    qs = filtered_responses(access, f).order_by("-submitted_at", "-id")
    after = Q()
    if cursor:
        stamp, pk = decode_cursor(cursor)
        after = Q(submitted_at__lt=stamp) | Q(submitted_at=stamp, id__lt=pk)
        qs = qs.filter(after)
    edge = _search_window_edge(access, f, after) if f.q else None
    if edge is not None:
        qs = qs.filter(Q(submitted_at__gt=edge[0]) | Q(submitted_at=edge[0], id__gte=edge[1]))
    rows = list(with_details(qs)[: limit + 1])
    if len(rows) > limit:
        next_cursor = encode_cursor(rows[limit - 1].submitted_at, rows[limit - 1].pk)
    elif edge is not None:
        next_cursor = encode_cursor(*edge)  # the search goes on below the window, on the next page
    else:
        next_cursor = None
    return rows[:limit], next_cursor


def count_of_responses(access: Access, f: ResponseFilter) -> tuple[int, bool]:
    """How many responses match, and whether that is all of them. A text search counts only the
    window its first page searches (`_search_window_edge`), never every comment of the
    organization; the count is then "at least"."""
    qs = filtered_responses(access, f)
    edge = _search_window_edge(access, f, Q()) if f.q else None
    if edge is None:
        return qs.count(), True
    return qs.filter(Q(submitted_at__gt=edge[0]) | Q(submitted_at=edge[0], id__gte=edge[1])).count(), False


def _search_window_edge(access: Access, f: ResponseFilter, after: Q) -> tuple[dt.datetime, int] | None:
    """A text search reads comments, which no index narrows: one page searches at most the
    GLAPP_SEARCH_WINDOW newest responses the other filters leave (an index range), and the page's
    cursor continues below them. The oldest of the window, or None when fewer are left."""
    window = settings.GLAPP_SEARCH_WINDOW
    others = filtered_responses(access, replace(f, q=None)).filter(after).order_by("-submitted_at", "-id")
    return others.values_list("submitted_at", "id")[window - 1: window].first()


def iter_responses(access: Access, f: ResponseFilter, batch: int = 2000) -> Iterator[Response]:
    """Every matching response, oldest first, in keyset-paginated batches (flat memory for exports)."""
    qs = filtered_responses(access, f).order_by("submitted_at", "id")
    last: tuple[dt.datetime, int] | None = None
    while True:
        page = qs
        if last:
            page = qs.filter(Q(submitted_at__gt=last[0]) | Q(submitted_at=last[0], id__gt=last[1]))
        rows = list(with_details(page)[:batch])
        if not rows:
            return
        yield from rows
        last = (rows[-1].submitted_at, rows[-1].pk)


def _shown(text: str, redact: bool) -> str:
    """Comment text as a reader may see it: with personal data replaced unless they have PII rights."""
    return redact_pii(text).text if redact and text else text


def answer_text(text: str, question_type: str, redact: bool) -> str:
    """An answer's text in a response document, read back or echoed after a write alike: the
    caller's PII rights decide, never the path the document took."""
    return _shown(text, redact and question_type == qt.TEXT)


def answer_map(response: Response, redact: bool = False) -> dict[str, object]:
    """question key → value, for the API and exports (comments redacted when `redact`)."""
    out: dict[str, object] = {}
    for a in response.answers.all():
        if a.number is not None:
            out[a.question.key] = a.number
        elif a.choices is not None:
            out[a.question.key] = a.choices
        else:
            out[a.question.key] = answer_text(a.text, a.question_type, redact)
    return out


def comment_of(response: Response, redact: bool = False) -> str:
    text = next((a.text for a in response.answers.all() if a.question_type == qt.TEXT and a.text), "")
    return _shown(text, redact)


def score_of(response: Response, score_type: str = qt.NPS) -> int | None:
    return next((a.number for a in response.answers.all() if a.question_type == score_type), None)


# --- Import jobs and saved mappings --------------------------------------------------------

def _import_jobs(access: Access):
    # The unit-limited see a job made within their units, never an organization-wide one ("").
    return ImportJob.objects.for_org(access.organization).select_related("source").filter(
        access.unit_filter("unit_path"))


def import_job_for(access: Access, job_id: int) -> ImportJob | None:
    return _import_jobs(access).filter(pk=job_id).first()


def recent_import_jobs(access: Access, limit: int = 20):
    return _import_jobs(access).order_by("-created_at")[:limit]


def import_source_named(organization_id: int, name: str) -> ImportSource | None:
    return ImportSource.objects.for_org(organization_id).filter(name=name.strip()).first()


def import_sources(access: Access):
    return ImportSource.objects.for_org(access.organization).order_by("name")


def job_by_id(job_id: int) -> ImportJob | None:
    """For the background task only: the job record itself names its organization."""
    return ImportJob.objects.filter(pk=job_id).first()


def iter_rollup_source(organization_id: int, answer_types: tuple[str, ...], chunk: int = 20_000,
                       response_ids: Sequence[int] | None = None):
    """Every response of an organization in id order, in lists of `chunk` tuples:
    (submitted_at, survey_id, touchpoint_id, unit_id, channel, language, segment, metadata,
    has_comment, answers), where answers are (question_id, question_type, number, text, choices)
    of the given types.

    Keyset pages on the primary key, and answers fetched per id range through the
    (response, question) index, so a rebuild of ten million rows reads each row once.
    `response_ids` limits it to those responses (an erasure subtracts what they counted).
    """
    last_id = 0
    base = Response.objects.filter(organization_id=organization_id).order_by("id")
    if response_ids is not None:
        base = base.filter(pk__in=list(response_ids))
    while True:
        rows = list(base.filter(id__gt=last_id).values_list(
            "id", "submitted_at", "survey_id", "touchpoint_id", "unit_id", "channel", "language", "segment",
            "metadata", "has_comment")[:chunk])
        if not rows:
            return
        first, last_id = rows[0][0], rows[-1][0]
        answers: dict[int, list] = {}
        answer_rows = Answer.objects.filter(response_id__gte=first, response_id__lte=last_id,
                                            question_type__in=answer_types)
        if response_ids is not None:
            answer_rows = answer_rows.filter(response_id__in=[row[0] for row in rows])
        for rid, *answer in answer_rows.values_list(
                "response_id", "question_id", "question_type", "number", "text", "choices").iterator(chunk_size=chunk):
            answers.setdefault(rid, []).append(_choices_loaded(answer))
        yield [(*row[1:], answers.get(row[0], ())) for row in rows]


def _choices_loaded(answer: list) -> tuple:
    """An answer row with its choices as a list (a raw JSON string on some backends' values())."""
    choices = answer[4]
    if isinstance(choices, str):
        answer[4] = json.loads(choices)
    return tuple(answer)


def rollup_answers(response_id: int, answer_types: tuple[str, ...]) -> list[tuple]:
    """One response's answers of the given types, in `iter_rollup_source`'s shape."""
    return [_choices_loaded(list(row)) for row in Answer.objects.filter(
        response_id=response_id, question_type__in=answer_types).values_list(
        "question_id", "question_type", "number", "text", "choices")]


def last_answer_id() -> int:
    """The highest answer id stored so far (of any organization), 0 for none."""
    return Answer.objects.order_by("-id").values_list("id", flat=True).first() or 0


def text_answers(organization_id: int, first_response_id: int | None = None, last_response_id: int | None = None,
                 chunk: int = 5000, *, unless=None, stored_before=None, after_answer_id: int = 0):
    """Non-empty comments of an organization as (answer_id, response_id, text, response language),
    in lists of up to `chunk` (keyset pages: flat memory at any size). `unless` leaves out answers
    for which a condition on the answer row holds (a higher app's, such as "is analyzed", given
    as an expression); `stored_before` keeps responses stored before that time.

    With a response id range, only the range is read, whatever the organization's size: the
    pages walk the (response, question) index from the range's start. Without one, the whole
    organization is read in answer id order, from above `after_answer_id` (the answers' primary
    key walked from there: what every organization stored since, not this one's history)."""
    qs = Answer.objects.filter(question_type=qt.TEXT).exclude(text="")
    if unless is not None:
        qs = qs.filter(~unless)
    whole = first_response_id is None and last_response_id is None
    if whole and not after_answer_id:
        qs = qs.filter(response__organization_id=organization_id)
        if stored_before is not None:
            qs = qs.filter(response__created_at__lt=stored_before)
        yield from _pages_by_answer_id(qs.annotate(language=F("response__language")), chunk)
        return
    # No join with the responses, no list of them, no EXISTS (which PostgreSQL turns into a
    # join): planners given any of these drive the query from the organization's responses, all
    # of them. Each answer of the range (or above the id) reads its own response's fields by
    # primary key instead.
    def of_response(field: str) -> Subquery:
        return Subquery(Response.objects.filter(id=OuterRef("response_id")).values(field))

    qs = qs.annotate(owner=of_response("organization_id"), language=of_response("language")).filter(
        owner=organization_id)
    if stored_before is not None:
        qs = qs.annotate(stored_at=of_response("created_at")).filter(stored_at__lt=stored_before)
    if whole:
        yield from _pages_by_answer_id(qs, chunk, after_answer_id)
        return
    yield from _pages_by_response(qs, first_response_id or 0, last_response_id, chunk)


def _pages_by_answer_id(qs: QuerySet, chunk: int, after_answer_id: int = 0):
    last_id = after_answer_id
    while True:
        rows = list(qs.filter(id__gt=last_id).order_by("id").values_list(
            "id", "response_id", "text", "language")[:chunk])
        if not rows:
            return
        last_id = rows[-1][0]
        yield rows


def _pages_by_response(qs: QuerySet, first_response_id: int, last_response_id: int | None, chunk: int):
    """Keyset pages in the order of the answers' unique (response, question) index, each a range
    scan of that index starting where the last page ended: the rows read are those of the range
    (ordered by answer id, the database would walk every answer of the organization instead)."""
    if last_response_id is not None:
        qs = qs.filter(response_id__lte=last_response_id)
    after = None  # (response id, question id) of the last row of the previous page
    while True:
        page = qs.filter(response_id__gte=first_response_id)
        if after is not None:
            page = qs.filter(response_id__gte=after[0]).exclude(response_id=after[0], question_id__lte=after[1])
        rows = list(page.order_by("response_id", "question_id").values_list(
            "id", "response_id", "text", "language", "question_id")[:chunk])
        if not rows:
            return
        after = rows[-1][1], rows[-1][4]
        yield [row[:4] for row in rows]


def text_answer_count(organization_id: int) -> int:
    return Answer.objects.filter(response__organization_id=organization_id, question_type=qt.TEXT) \
        .exclude(text="").count()


def comment_scores(organization_id: int, score_type: str = qt.NPS) -> dict[int, int]:
    """response id → its score (NPS by default) for responses of the organization that have one."""
    return dict(Answer.objects.filter(response__organization_id=organization_id, question_type=score_type,
                                      number__isnull=False).values_list("response_id", "number"))


def nps_answers() -> QuerySet:
    """NPS answers, for other apps' subqueries (callers narrow it by response and organization)."""
    return Answer.objects.filter(question_type=qt.NPS)


def response_count(organization_id: int) -> int:
    return Response.objects.filter(organization_id=organization_id).count()


def responses_of_customers(organization_id: int, customer_ids: Sequence[int]) -> QuerySet:
    """Every response linked to these customers, whatever unit (erasure and the data-subject
    export are about the person, not about one reader's units), with their answers."""
    return with_details(Response.objects.for_org(organization_id).filter(customer_id__in=list(customer_ids))
                        .order_by("submitted_at", "id"))


def response_keys_of_customers(organization_id: int, customer_ids: Sequence[int]) -> list[tuple[int, str | None]]:
    """(id, external id) of every response linked to these customers."""
    return list(Response.objects.for_org(organization_id).filter(customer_id__in=list(customer_ids))
                .order_by("id").values_list("id", "external_id"))


def comment_texts(organization_id: int, response_ids: Sequence[int]) -> list[str]:
    """The comments (text answers) of these responses, as stored."""
    return list(Answer.objects.filter(response__organization_id=organization_id, response_id__in=list(response_ids),
                                      question_type=qt.TEXT).exclude(text="").values_list("text", flat=True))


def erased_customers_among(organization_id: int, cleans: Sequence) -> set[int]:
    """The indexes of clean responses whose customer (external id, e-mail or phone) was erased:
    every writer refuses them, so a re-import or a re-sent response cannot bring the person back."""
    people = [(c.customer.get("external_id"), c.customer.get("email"), c.customer.get("phone"))
              if c.customer else (None, None, None) for c in cleans]
    if not any(any(p) for p in people):
        return set()
    return erased_among(organization_id, people)


ERASED_MESSAGE = "belongs to a customer who was erased; glapp stores nothing about them again"


# --- Retention (glapp.privacy orchestrates; its keyset pages run on these querysets) ----------

def responses_submitted_before(organization_id: int, cutoff: dt.datetime) -> QuerySet:
    """Responses submitted before `cutoff`: the (organization, submitted_at) index serves them."""
    return Response.objects.for_org(organization_id).filter(submitted_at__lt=cutoff)


def comments_of_responses(organization_id: int, response_ids: Sequence[int]) -> list[tuple[int, int, str, str]]:
    """(answer id, response id, text, response language) of these responses' non-empty comments."""
    return list(Answer.objects.filter(response__organization_id=organization_id, response_id__in=list(response_ids),
                                      question_type=qt.TEXT).exclude(text="").order_by("id").values_list(
        "id", "response_id", "text", "response__language"))


def comments_of(organization_id: int, response_ids, unless: Q | None = None) -> QuerySet:
    """The non-empty comments of these responses (ids, or a queryset of them); `unless` leaves out
    those for which a condition on the answer row holds (a higher app's, given as an expression)."""
    qs = Answer.objects.filter(response__organization_id=organization_id, response_id__in=response_ids,
                               question_type=qt.TEXT).exclude(text="")
    return qs if unless is None else qs.exclude(unless)


def with_customer_or_comment(organization_id: int, response_ids: Sequence[int]) -> QuerySet:
    """Those of these responses that still identify someone: linked to a customer, or with a comment."""
    commented = Answer.objects.filter(response=OuterRef("pk"), question_type=qt.TEXT).exclude(text="")
    return Response.objects.for_org(organization_id).filter(pk__in=list(response_ids)).filter(
        Q(customer__isnull=False) | Exists(commented))


def identifiable_responses_before(organization_id: int, cutoff: dt.datetime) -> QuerySet:
    commented = Answer.objects.filter(response=OuterRef("pk"), question_type=qt.TEXT).exclude(text="")
    return responses_submitted_before(organization_id, cutoff).filter(Q(customer__isnull=False) | Exists(commented))


def customers_answered_since(organization_id: int, customer_ids: Sequence[int], since: dt.datetime) -> set[int]:
    """Those of these customers with a response submitted since `since` (the customer index)."""
    return set(Response.objects.for_org(organization_id).filter(
        customer_id__in=list(customer_ids), submitted_at__gte=since).values_list("customer_id", flat=True))


def idempotency_records_before(organization_id: int, cutoff: dt.datetime) -> QuerySet:
    return IdempotencyRecord.objects.for_org(organization_id).filter(created_at__lt=cutoff)


def import_jobs_with_errors_before(organization_id: int, cutoff: dt.datetime) -> QuerySet:
    """Finished import jobs made before `cutoff` that still list rejected rows (they quote cells)."""
    return ImportJob.objects.for_org(organization_id).filter(created_at__lt=cutoff, finished_at__isnull=False) \
        .exclude(errors=[])


def upload_digests_in_use(organization_id: int, since: dt.datetime) -> set[str]:
    """Files an import job made since `since`, or one not finished, still needs."""
    return set(ImportJob.objects.for_org(organization_id).filter(
        Q(created_at__gte=since) | Q(finished_at__isnull=True)).values_list("file_sha256", flat=True))


def responses_of_answers(organization_id: int, answer_ids) -> list[int]:
    """The responses these answers belong to (of the organization), each once."""
    ids = list(answer_ids)
    if not ids:
        return []
    return sorted(set(Answer.objects.filter(id__in=ids, response__organization_id=organization_id)
                      .values_list("response_id", flat=True)))


def import_case_choice(organization_id: int, job_id: int) -> str:
    """An import job's choice of which of its rows may open cases ("recent", "all", "none")."""
    choice = ImportJob.objects.for_org(organization_id).filter(pk=job_id).values_list("open_cases", flat=True).first()
    return choice or "recent"
