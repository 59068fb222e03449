"""Writes of text analysis: analyze comments, keep topics, record analysts' tags and corrections,
train the organization's own models.

Analysis is idempotent: an answer already analyzed by the current pipeline version is skipped,
one analyzed by an older version is replaced, so a repeated or crashed task only redoes work.
"""

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import slugify

from glapp.core import bulk, events, writelock
from glapp.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from glapp.responses.actions import replace_comment_texts
from glapp.responses.queries import last_answer_id, text_answers
from glapp.textanalytics.analyzers import query as query_mod
from glapp.textanalytics.analyzers import taxonomy
from glapp.textanalytics.analyzers.pipeline import Pipeline
from glapp.textanalytics.analyzers.sentiment import LABELS
from glapp.textanalytics.models import (
    ALL_LANGUAGES,
    AnalysisDrain,
    CatchUpMark,
    CommentAnalysis,
    LearnedModel,
    PendingAnalysis,
    SentimentCorrection,
    Topic,
    TopicMention,
    TopicTag,
)
from glapp.textanalytics.pipelines import pipeline_for

CHUNK = 1000

# --- Topics ----------------------------------------------------------------------------------


def ensure_builtin_topics(organization_id: int) -> int:
    """Copy glapp's taxonomy into the organization (once per topic code), so it can be edited.
    Run when the organization is created (`receivers.py`), never on a read.

    General topics are created active; industry-pack topics (travel: baggage, bookings …) are
    created inactive, for the organization to switch on if they fit."""
    have = set(Topic.objects.for_org(organization_id).values_list("code", flat=True))
    new = [Topic(organization_id=organization_id, code=t.code, name_sv=t.name_sv, name_en=t.name_en,
                 description=getattr(t, "description", ""), query=t.query, builtin=True, active=t.general)
           for t in taxonomy.TOPICS if t.code not in have]
    Topic.objects.bulk_create(new)
    return len(new)


def upgrade_builtin_topics(organization_id: int) -> list[str]:
    """Bring built-in topics whose query is still an unedited copy of an earlier built-in version
    up to date (an edited query is the organization's and is kept). Part of the housekeeping
    after an upgrade, not of every read; the changed pipeline version then gets the comments
    re-analyzed. Returns the codes upgraded."""
    stale = [code for code, query in Topic.objects.for_org(organization_id).filter(builtin=True)
             .values_list("code", "query")
             if code in taxonomy.BY_CODE and taxonomy.is_superseded(code, query)]
    for code in stale:
        Topic.objects.for_org(organization_id).filter(code=code).update(
            query=taxonomy.BY_CODE[code].query, updated_at=timezone.now())
    return stale


# A topic's code is its identity in stored mentions and tags and the last part of its page's
# address (/topics/<code>/), so it is a slug, and never the name of another page under /topics/.
TOPIC_CODE_LENGTH = 80
TOPIC_CODE = re.compile(r"[-a-zA-Z0-9_]+")
RESERVED_TOPIC_CODES = frozenset({"new", "preview", "themes"})


def topic_code_errors(code: str) -> list[FieldError]:
    """What is wrong with `code` as the code of a new topic (an existing topic keeps its own)."""
    if not code:
        return [FieldError("code", "is required", "required")]
    if len(code) > TOPIC_CODE_LENGTH:
        return [FieldError("code", f"must be at most {TOPIC_CODE_LENGTH} characters", "too_long")]
    if not TOPIC_CODE.fullmatch(code):
        return [FieldError("code", "may hold only letters, digits, - and _", "invalid")]
    if code in RESERVED_TOPIC_CODES:
        return [FieldError("code", f"'{code}' is the name of a page under /topics/", "reserved")]
    return []


def _query_errors(source: str) -> list[FieldError]:
    try:
        query_mod.parse(source)
    except query_mod.QuerySyntaxError as exc:
        return [FieldError("query", str(exc), "query_syntax")]
    return []


def _taken(code: str) -> FieldError:
    return FieldError("code", f"a topic with the code '{code}' already exists", "taken")


def create_topic(organization_id: int, code: str, *, name_sv: str, name_en: str, query: str,
                 description: str = "", active: bool = True) -> Topic:
    """A new topic, never one that replaces another: a code already in use is refused. Without a
    code, one is made from the name. The comments are re-analyzed in the background."""
    code = code or slugify(name_en or name_sv)[:TOPIC_CODE_LENGTH]
    errors = topic_code_errors(code) + _query_errors(query)
    if not errors and Topic.objects.for_org(organization_id).filter(code=code).exists():
        errors = [_taken(code)]
    if errors:
        raise ValidationFailed(errors)
    try:
        with transaction.atomic():
            topic = Topic.objects.create(organization_id=organization_id, code=code, name_sv=name_sv[:120],
                                         name_en=name_en[:120], query=query, description=description, active=active)
    except IntegrityError:  # made at the same moment by someone else
        raise ValidationFailed([_taken(code)]) from None
    _schedule_reanalysis(organization_id)
    return topic


def save_topic(organization_id: int, code: str, *, name_sv: str, name_en: str, query: str,
               description: str = "", active: bool = True) -> Topic:
    """Create or update a topic (the API's PUT); a new one's code follows the rules of
    `topic_code_errors`. The organization's comments are re-analyzed in the background."""
    exists = Topic.objects.for_org(organization_id).filter(code=code).exists()
    errors = ([] if exists else topic_code_errors(code)) + _query_errors(query)
    if errors:
        raise ValidationFailed(errors)
    topic, _ = Topic.objects.update_or_create(
        organization_id=organization_id, code=code,
        defaults={"name_sv": name_sv[:120], "name_en": name_en[:120], "query": query, "description": description,
                  "active": active},
    )
    _schedule_reanalysis(organization_id)
    return topic


def delete_topic(organization_id: int, code: str) -> None:
    """Only the organization's own topics: a built-in one is switched off instead (deleted, the
    built-in topics would bring it back)."""
    topic = Topic.objects.for_org(organization_id).filter(code=code).first()
    if topic is None:
        raise NotFound(f"No topic '{code[:80]}'.")
    if topic.builtin:
        raise Conflict("A built-in topic cannot be deleted; switch it off (active: false) instead.",
                       "builtin_topic")
    with transaction.atomic():  # no mentions of a topic that is gone
        topic.delete()
        TopicMention.objects.filter(organization_id=organization_id, topic=code).delete()
        _schedule_reanalysis(organization_id)


def _schedule_reanalysis(organization_id: int) -> None:
    events.AnalysisOutdated(organization_id).send()  # after the commit, re-analyzed in the background


def outdated_organizations(skip: set[int] = frozenset()) -> list[int]:
    """Upgrade unedited built-in topics, then return each organization (other than `skip`) holding
    analyses by another pipeline version than its current one: after an upgrade that changed an
    analyzer (sentiment, key phrases, themes, the taxonomy), stored results must catch up."""
    from glapp.accounts.models import Organization

    behind = []
    for organization_id in Organization.objects.order_by("id").values_list("id", flat=True):
        analyses = CommentAnalysis.objects.for_org(organization_id)
        if organization_id in skip or not analyses.exists():
            continue
        upgrade_builtin_topics(organization_id)
        current = pipeline_for(organization_id).version
        # Two range seeks on the (organization, version) index, where `exclude` would scan.
        # An erased comment's analysis (version ERASED) keeps its figures and is never redone.
        if analyses.filter(Q(version__lt=current) | Q(version__gt=current)).exclude(version=ERASED).exists():
            behind.append(organization_id)
    return behind


# --- Analysis --------------------------------------------------------------------------------


def analyze_answers(organization_id: int, answers: Iterable[tuple], pipeline: Pipeline | None = None,
                    progress: Callable[[int], None] | None = None, workers: int = 1) -> int:
    """Analyze (answer_id, response_id, text, language_hint) rows; returns how many were written.

    With workers > 1 the pipeline runs in that many processes while this one writes, so a batch
    of a million comments uses every core and the database still sees a single writer."""
    pipeline = pipeline or pipeline_for(organization_id)
    corrections = dict(SentimentCorrection.objects.for_org(organization_id).values_list("answer_id", "label"))
    written = 0

    def write(rows, results):
        nonlocal written
        try:
            written += _store(organization_id, pipeline.version, rows, results, corrections)
        except IntegrityError:
            # Another run stored some of these answers' analyses at the same moment (two drains
            # of one organization on two workers): now committed, they are replaced like any other.
            written += _store(organization_id, pipeline.version, rows, results, corrections)
        if progress:
            progress(len(rows))

    chunks = _chunks(answers, CHUNK)
    if workers <= 1:
        for rows in chunks:
            write(rows, [pipeline.analyze(text, "auto", hint=hint or None) for _, _, text, hint in rows])
        return written
    from concurrent.futures import ProcessPoolExecutor

    from glapp.textanalytics.analyzers import pipeline as pipeline_mod

    with ProcessPoolExecutor(workers, initializer=pipeline_mod.init_worker,
                             initargs=(pipeline.topics, pipeline.learned)) as pool:
        pending = []
        for rows in chunks:
            pending.append((rows, pool.submit(pipeline_mod.analyze_in_worker, [(t, "auto", h) for _, _, t, h in rows])))
            if len(pending) >= workers * 2:  # bounded read-ahead: memory stays flat
                done, future = pending.pop(0)
                write(done, future.result())
        for done, future in pending:
            write(done, future.result())
    return written


def _chunks(items: Iterable, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


ANALYSIS_FIELDS = ("id", "organization", "answer", "response", "language", "redacted_text", "pii_kinds", "sentiment",
                   "sentiment_label", "sentiment_source", "clauses", "emotions", "key_phrases", "version",
                   "analyzed_at", "created_at")
MENTION_FIELDS = ("organization", "analysis", "response", "topic", "sentiment", "spans", "source")


def _store(organization_id: int, version: str, rows: Sequence[tuple], results: Sequence, corrections: dict) -> int:
    """Replace the analyses of these answers, in one transaction. Rows are written with
    executemany and reserved ids (as ingestion does): the ORM's per-row statements cost more
    than the analysis itself at a million comments."""
    from django.db import connection

    ops = connection.ops
    to_json = bulk.json_adapter()
    now = ops.adapt_datetimefield_value(timezone.now())
    # In the API writers' turn (core/writelock.py): on SQLite they wait for it, not in the busy handler.
    with writelock.serialized(), transaction.atomic():
        ids = [r[0] for r in rows]
        TopicMention.objects.filter(analysis__answer_id__in=ids).delete()
        CommentAnalysis.objects.filter(answer_id__in=ids)._raw_delete(CommentAnalysis.objects.db)
        new_ids = bulk.allocate_ids(CommentAnalysis, len(rows))
        analysis_rows, mention_rows = [], []
        for new_id, (answer_id, response_id, _, _), a in zip(new_ids, rows, results, strict=True):
            label, score, source = a.label, a.sentiment, a.sentiment_source
            if answer_id in corrections:  # an analyst's word beats every model
                label, source = corrections[answer_id], "analyst"
                score = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}[label]
            analysis_rows.append((
                new_id, organization_id, answer_id, response_id, a.language, a.redacted, to_json(a.pii), score,
                label, source, to_json(a.clauses), to_json(a.emotions), to_json(a.key_phrases), version, now, now,
            ))
            mention_rows.extend(
                (organization_id, new_id, response_id, m.code, m.sentiment, to_json([list(x) for x in m.spans]),
                 m.source) for m in a.topics)
        bulk.insert_rows(CommentAnalysis, ANALYSIS_FIELDS, analysis_rows)
        if mention_rows:
            bulk.insert_rows(TopicMention, MENTION_FIELDS, mention_rows)
        tagged = _tags_of(organization_id, ids)
        if tagged:
            _apply_tags(organization_id, list(CommentAnalysis.objects.filter(id__in=new_ids)), tagged)
        if not keeps_originals(organization_id):
            replace_comment_texts(organization_id, {
                answer_id: a.redacted for (answer_id, _, text, _), a in zip(rows, results, strict=True)
                if a.redacted != text})
        events.AnalysisStored(organization_id, answer_ids=ids).send()
    return len(rows)


def keeps_originals(organization_id: int) -> bool:
    from glapp.accounts.queries import organization_policy

    return organization_policy(organization_id).keep_comment_originals


def _tags_of(organization_id: int, answer_ids: Sequence[int]) -> dict[int, dict[str, bool]]:
    out: dict[int, dict[str, bool]] = {}
    for answer_id, code, applies in TopicTag.objects.for_org(organization_id).filter(
            answer_id__in=answer_ids).values_list("answer_id", "topic__code", "applies"):
        out.setdefault(answer_id, {})[code] = applies
    return out


def _apply_tags(organization_id: int, analyses: Sequence[CommentAnalysis], tagged: dict) -> None:
    """Analysts' tags override what queries and models found."""
    for analysis in analyses:
        for code, applies in tagged.get(analysis.answer_id, {}).items():
            existing = TopicMention.objects.filter(analysis=analysis, topic=code)
            if not applies:
                existing.delete()
            elif not existing.exists():
                TopicMention.objects.create(organization_id=organization_id, analysis=analysis,
                                            response_id=analysis.response_id, topic=code,
                                            sentiment=analysis.sentiment, spans=[], source="tag")


# The catch-up of comments never analyzed: at most this many per organization per housekeeping
# run, and none stored in the last few minutes (their analysis is queued after their commit).
CATCH_UP_LIMIT = 20_000
CATCH_UP_GRACE = timedelta(minutes=5)


def analyze_missing(organization_id: int, *, limit: int = CATCH_UP_LIMIT, grace: timedelta = CATCH_UP_GRACE) -> int:
    """Analyze up to `limit` comments that have no analysis at all: one whose task was never
    queued (a crash between the commit and the enqueue) or lost. Returns how many.

    Reads only the answers stored since the organization's `CatchUpMark` (every organization's,
    in answer id order), so an hourly run costs what arrived in the hour, not the history."""
    started = timezone.now()
    newest = last_answer_id()
    mark, _ = CatchUpMark.objects.get_or_create(organization_id=organization_id)
    analyzed = Exists(CommentAnalysis.objects.filter(answer_id=OuterRef("pk")))
    pages = text_answers(organization_id, chunk=min(limit, 5000), unless=analyzed,
                         stored_before=started - grace, after_answer_id=mark.checked_through)
    last_read, count = [mark.checked_through], [0]

    def noting_ids(rows):
        for row in rows:
            last_read[0] = row[0]
            count[0] += 1
            yield row

    done = analyze_answers(organization_id, noting_ids(itertools.islice(itertools.chain.from_iterable(pages), limit)))
    # Up to an id seen longer ago than the grace, nothing was left out as just stored; a run cut
    # off by the limit has looked only as far as its last comment.
    matured = mark.seen_at is not None and mark.seen_at <= started - grace
    through = mark.seen_max if matured else mark.checked_through
    if count[0] >= limit:
        through = min(through, last_read[0])
    fields = {"checked_through": max(through, mark.checked_through)}
    if matured or mark.seen_at is None:
        fields.update(seen_max=newest, seen_at=started)
    CatchUpMark.objects.filter(organization_id=organization_id).update(**fields)
    return done


def catch_up_missing(skip: set[int] = frozenset(), limit: int = CATCH_UP_LIMIT) -> dict[int, int]:
    """`analyze_missing` for each organization but those in `skip` (whose analysis is under way);
    returns organization id → comments analyzed, for those that had any."""
    from glapp.accounts.models import Organization

    done = {}
    for organization_id in Organization.objects.order_by("id").values_list("id", flat=True):
        if organization_id not in skip and (count := analyze_missing(organization_id, limit=limit)):
            done[organization_id] = count
    return done


def analyze_pending(organization_id: int, *, first_response_id: int | None = None,
                    last_response_id: int | None = None, progress: Callable[[int], None] | None = None,
                    workers: int = 1) -> int:
    """Analyze every comment of the organization (or of a response id range) that the current
    pipeline has not analyzed yet."""
    pipeline = pipeline_for(organization_id)
    rows = pending_comments(organization_id, pipeline.version, first_response_id, last_response_id)
    return analyze_answers(organization_id, rows, pipeline, progress, workers)


def pending_comments(organization_id: int, version: str, first_response_id: int | None = None,
                     last_response_id: int | None = None):
    """The comments (of a response id range) without an analysis by `version`, as rows for
    `analyze_answers`. Both reads are bounded by the range, however large the organization: the
    comments walk the answers' response index, and which of them are current is looked up by
    their answer ids (the analyses' unique answer index)."""
    for rows in text_answers(organization_id, first_response_id, last_response_id):
        current = set(CommentAnalysis.objects.filter(
            answer_id__in=[r[0] for r in rows], version=version).values_list("answer_id", flat=True))
        yield from (r for r in rows if r[0] not in current)


# --- Arrivals: many small ones, few tasks --------------------------------------------------------

# A drain queued this long ago that has not started is presumed lost (its task row deleted or
# failed unstarted): the next arrival queues another. Behind a long backlog a second one may be
# queued while the first still waits; it then finds nothing left to do.
DRAIN_STALE = timedelta(minutes=15)
# Waiting ranges closer than this many response ids are read as one range (each id of another
# organization in between costs one step of the index scan, each separate range a query).
MERGE_GAP = 500
DRAIN_BATCH = 1000  # waiting ranges read (and then deleted) at a time


def record_arrival(organization_id: int, first_response_id: int, last_response_id: int,
                   queue_drain: Callable[[int], object]) -> bool:
    """After the commit of new comments: note their range for the organization's drain, and
    queue the drain (`queue_drain(organization_id)`) unless one is waiting. Returns whether it
    was queued. While a drain waits, this is one insert and one read: no row is locked that the
    organization's other requests need. The range is committed before the drain's state is
    read, so a drain either is still waiting (and will read the range) or has started, found the
    state cleared and this arrival queues the next one: no range is left without a drain."""
    note_arrival(organization_id, first_response_id, last_response_id)
    return request_drain(organization_id, queue_drain)


def note_arrival(organization_id: int, first_response_id: int, last_response_id: int) -> None:
    """Note a range of responses whose comments wait for the organization's drain (in the
    caller's transaction, if any). Plain SQL: it runs on every API request with a comment, where
    the ORM's create cost several times the statement."""
    bulk.insert_values(PendingAnalysis, ("organization", "first_response_id", "last_response_id", "created_at"),
                       [(organization_id, first_response_id, last_response_id,
                         connection.ops.adapt_datetimefield_value(timezone.now()))])


def request_drain(organization_id: int, queue_drain: Callable[[int], object]) -> bool:
    """Queue the organization's drain unless one is waiting (not started, not stale)."""
    now = timezone.now()
    if bulk.exists(AnalysisDrain, {"organization": organization_id},  # the common case under load: read, not written
                   at_least={"queued_at": connection.ops.adapt_datetimefield_value(now - DRAIN_STALE)}):
        return False
    fresh = Q(queued_at__gte=now - DRAIN_STALE)
    state = AnalysisDrain.objects.filter(organization_id=organization_id)
    with transaction.atomic():  # the state and the task row commit together: never one without the other
        if state.exists():
            if not state.exclude(fresh).update(queued_at=now):
                return False  # another arrival queued it just now
        else:
            try:
                with transaction.atomic():
                    AnalysisDrain.objects.create(organization_id=organization_id, queued_at=now)
            except IntegrityError:  # the organization's first arrivals, at the same moment
                return False
        queue_drain(organization_id)
    return True


def drain_arrivals(organization_id: int) -> int:
    """Analyze every range of the organization that waited when this drain started; returns how
    many comments were analyzed. Each range is deleted after its analysis is stored, so a drain
    killed midway loses nothing (run again, it redoes only what is not stored). Ranges that
    arrive meanwhile are left to the next drain, which they queue: the state is cleared first."""
    AnalysisDrain.objects.filter(organization_id=organization_id).update(queued_at=None)
    waiting = PendingAnalysis.objects.filter(organization_id=organization_id)
    newest = waiting.order_by("-id").values_list("id", flat=True).first()
    if newest is None:
        return 0
    pipeline = pipeline_for(organization_id)
    analyzed = 0
    while batch := list(waiting.filter(id__lte=newest).order_by("id").values_list(
            "id", "first_response_id", "last_response_id")[:DRAIN_BATCH]):
        for first, last in merged_ranges((first, last) for _, first, last in batch):
            analyzed += analyze_answers(organization_id, pending_comments(
                organization_id, pipeline.version, first, last), pipeline)
        PendingAnalysis.objects.filter(id__in=[pk for pk, _, _ in batch]).delete()
    return analyzed


def merged_ranges(ranges: Iterable[tuple[int, int]], gap: int = MERGE_GAP) -> list[tuple[int, int]]:
    """Response id ranges merged where they overlap or lie less than `gap` ids apart."""
    merged: list[list[int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + gap:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return [(first, last) for first, last in merged]


def organizations_with_arrivals(older_than: timedelta = CATCH_UP_GRACE) -> list[int]:
    """Organizations with a range waiting longer than `older_than`: its drain was never queued
    (a crash between the commit and the queueing) or lost."""
    return sorted(set(PendingAnalysis.objects.filter(created_at__lt=timezone.now() - older_than)
                      .values_list("organization_id", flat=True)))


# --- Analysts teach ---------------------------------------------------------------------------


def tag_comment(organization_id: int, answer_id: int, topic_code: str, applies: bool, user=None) -> None:
    if not (topic_code or "").strip():  # never fall back to some topic the analyst did not choose
        raise ValidationFailed([FieldError("tag", "choose a topic", "required")])
    topic = Topic.objects.for_org(organization_id).filter(code=topic_code).first()
    if topic is None:
        raise NotFound(f"No topic '{topic_code[:80]}'.")
    analysis = CommentAnalysis.objects.for_org(organization_id).filter(answer_id=answer_id).first()
    if analysis is None:
        raise NotFound("No analyzed comment with that id.")
    with transaction.atomic():
        TopicTag.objects.update_or_create(organization_id=organization_id, answer_id=answer_id, topic=topic,
                                          defaults={"applies": applies, "tagged_by": user})
        _apply_tags(organization_id, [analysis], {answer_id: {topic_code: applies}})
        _schedule_topic_training(organization_id, topic_code)


def correct_sentiment(organization_id: int, answer_id: int, label: str, user=None) -> None:
    if label not in LABELS:
        raise ValidationFailed([FieldError("label", f"choose from {', '.join(LABELS)}", "invalid")])
    analysis = CommentAnalysis.objects.for_org(organization_id).filter(answer_id=answer_id).first()
    if analysis is None:
        raise NotFound("No analyzed comment with that id.")
    with transaction.atomic():
        SentimentCorrection.objects.update_or_create(organization_id=organization_id, answer_id=answer_id,
                                                     defaults={"label": label, "corrected_by": user})
        analysis.sentiment_label = label
        analysis.sentiment = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}[label]
        analysis.sentiment_source = "analyst"
        analysis.save(update_fields=["sentiment_label", "sentiment", "sentiment_source"])



def train_sentiment_model(organization_id: int, seed: int = 0) -> dict:
    """Learn the organization's own sentiment model from its comments, each labelled by its NPS
    (promoters positive, detractors negative; an analyst's correction wins), and use it only if it
    beats the built-in analyzer on held-out comments. Returns the comparison report."""
    from glapp.responses.queries import comment_scores
    from glapp.textanalytics.analyzers import learned

    scores = comment_scores(organization_id)
    corrections = dict(SentimentCorrection.objects.for_org(organization_id).values_list("answer_id", "label"))
    texts, languages, labels = [], [], []
    for answer_id, response_id, text, lang in CommentAnalysis.objects.for_org(organization_id).exclude(
            version=ERASED).values_list(
            "answer_id", "response_id", "redacted_text", "language").order_by("id").iterator(chunk_size=5000):
        corrected = corrections.get(answer_id)
        score = {"positive": 10, "negative": 0}.get(corrected) if corrected else scores.get(response_id)
        if score is None:
            continue
        texts.append(text)
        languages.append(lang)
        labels.append(score)
    model, report = learned.train_for_organization(texts, languages, labels, "nps", seed=seed)
    report = {k: v for k, v in report.items() if isinstance(v, int | float | str)}
    report["labelled"] = len(labels)
    with transaction.atomic():
        LearnedModel.objects.update_or_create(
            organization_id=organization_id, kind="sentiment", language=ALL_LANGUAGES,
            defaults={"model": model.to_bytes() if model else b"", "trained_on": len(labels),
                      "builtin_f1": report.get("builtin_f1", 0.0), "learned_f1": report.get("learned_f1", 0.0),
                      "in_use": model is not None},
        )
        _schedule_reanalysis(organization_id)
    return report



# --- Topic classifiers learned from tags -------------------------------------------------------

MIN_TAGS = 10  # of each kind (with and without the topic) before a classifier is trained
NEGATIVE_SCAN = 5000  # latest comments from which untagged negatives are sampled
# 2^16 hashed features: plenty for the hundreds of comments analysts tag, and the solver's cost
# grows with the feature space (2^18 took ~0.8 s a fit, six fits with cross-validation).
TOPIC_BITS = 16


def _schedule_topic_training(organization_id: int, code: str) -> None:
    events.TopicTagged(organization_id, code=code).send()  # relearned in the background after the commit


def _topic_examples(organization_id: int, topic: Topic, seed: int) -> tuple[list[str], list[str], list[int], int]:
    """(texts, languages, labels, sampled negatives) from the topic's tags; when analysts tagged
    too few comments as not about it, comments its query does not match (seeded sample) fill up
    the negatives, as the query is the analysts' own description of the topic."""
    import random

    tags = dict(TopicTag.objects.for_org(organization_id).filter(topic=topic).values_list("answer_id", "applies"))
    texts, languages, labels = [], [], []
    for answer_id, text, language in CommentAnalysis.objects.for_org(organization_id).filter(
            answer_id__in=list(tags)).order_by("answer_id").values_list("answer_id", "redacted_text", "language"):
        texts.append(text)
        languages.append(language)
        labels.append(1 if tags[answer_id] else 0)
    positives = sum(labels)
    wanted = max(MIN_TAGS, positives) - (len(labels) - positives)
    sampled = 0
    if positives >= MIN_TAGS and wanted > 0:
        compiled = query_mod.parse(topic.query)
        pool = [(text, language) for answer_id, text, language in CommentAnalysis.objects.for_org(organization_id)
                .exclude(answer_id__in=list(tags)).order_by("-id")
                .values_list("answer_id", "redacted_text", "language")[:NEGATIVE_SCAN]
                if not compiled.match(query_mod.Doc(text, language))]
        for text, language in random.Random(seed).sample(pool, min(wanted, len(pool))):
            texts.append(text)
            languages.append(language)
            labels.append(0)
            sampled += 1
    return texts, languages, labels, sampled


def _cross_validated_f1(texts, languages, labels, feature_queries, seed: int) -> float:
    """F1 of the topic on held-out folds (stratified, seeded): each comment is predicted by a
    classifier that never saw it."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    from glapp.textanalytics.analyzers.topics import TopicClassifier

    folds = min(5, sum(labels), len(labels) - sum(labels))
    predicted = [0] * len(labels)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, labels):
        model = TopicClassifier.train([texts[i] for i in train], [labels[i] for i in train],
                                      languages=[languages[i] for i in train], feature_queries=feature_queries,
                                      n_bits=TOPIC_BITS, seed=seed)
        for i, p in zip(test, model.predict_proba([texts[i] for i in test], [languages[i] for i in test]),
                        strict=True):
            predicted[i] = 1 if p >= model.threshold else 0
    return float(f1_score(labels, predicted, zero_division=0))


def train_topic_classifier(organization_id: int, code: str, seed: int = 0) -> dict:
    """Learn the topic from analysts' tags (at least MIN_TAGS with and without it), store the
    classifier with its cross-validated F1, and re-analyze so it finds what the query misses.
    Too few tags: nothing changes and the report says how many are missing."""
    from glapp.textanalytics.analyzers.topics import TopicClassifier

    topic = Topic.objects.for_org(organization_id).filter(code=code).first()
    if topic is None:
        raise NotFound(f"No topic '{code[:80]}'.")
    texts, languages, labels, sampled = _topic_examples(organization_id, topic, seed)
    positives = sum(labels)
    report = {"topic": code, "positives": positives, "negatives": len(labels) - positives,
              "sampled_negatives": sampled, "trained": False}
    if positives < MIN_TAGS or len(labels) - positives < MIN_TAGS:
        report["needed"] = MIN_TAGS
        return report
    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    feature_queries = [topic.query]
    # One BLAS thread: on problems this small, thread start-up and contention cost ~30x the fit
    # itself (0.7 s against 25 ms a fit, measured on a busy two-core machine).
    with threadpool_limits(1):
        f1 = _cross_validated_f1(texts, languages, labels, feature_queries, seed)
        model = TopicClassifier.train(texts, labels, languages=languages, feature_queries=feature_queries,
                                      n_bits=TOPIC_BITS, seed=seed)
    with transaction.atomic():
        topic.classifier = model.to_bytes()
        topic.classifier_f1 = round(f1, 4)
        topic.save(update_fields=["classifier", "classifier_f1", "updated_at"])  # updated_at: new pipeline
        _schedule_reanalysis(organization_id)
    report.update(trained=True, f1=topic.classifier_f1)
    return report


# --- Erasure of one customer's comments (glapp.privacy orchestrates) ---------------------------

ERASED = ""  # the version of an analysis whose comment was erased: kept as it was, never redone


def forget_comments(organization_id: int, response_ids: Sequence[int], delete: bool,
                    retrain: bool = True) -> dict[str, int]:
    """Erase what text analysis keeps of these responses' comments. Either way analysts' tags
    and sentiment corrections go. `delete=False` (anonymise) keeps each analysis's sentiment,
    emotions and topic codes (what figures are made of) and deletes its redacted text, key
    phrases and the spans into that text; `delete=True` deletes the analyses. Models trained on
    the comments or the tags are retrained in the background after the commit, without them
    (`retrain=False`: the caller does it once, with `retrain_without`, after many calls)."""
    ids = list(response_ids)
    with transaction.atomic():
        analyses = CommentAnalysis.objects.for_org(organization_id).filter(response_id__in=ids)
        answer_ids = list(analyses.values_list("answer_id", flat=True))
        tags = TopicTag.objects.for_org(organization_id).filter(answer_id__in=answer_ids)
        tagged_topics = sorted(set(tags.values_list("topic__code", flat=True)))
        out = {"tags": tags.delete()[0],
               "corrections": SentimentCorrection.objects.for_org(organization_id).filter(
                   answer_id__in=answer_ids).delete()[0]}
        mentions = TopicMention.objects.filter(organization_id=organization_id, response_id__in=ids)
        if delete:
            mentions.delete()
            out["analyses"] = analyses.delete()[0]
        else:
            mentions.update(spans=[])
            out["analyses"] = analyses.update(redacted_text="", key_phrases=[], clauses=[], pii_kinds=[],
                                              version=ERASED)
        retrain_sentiment = bool(answer_ids) and LearnedModel.objects.for_org(organization_id).filter(
            kind="sentiment").exists()
        if retrain:
            retrain_without(organization_id, tagged_topics, retrain_sentiment)
    out["retrained_topics"] = len(tagged_topics)
    out["retrained_sentiment"] = int(retrain_sentiment)
    out["topics"] = tagged_topics
    return out


def retrain_without(organization_id: int, topic_codes, sentiment: bool) -> None:
    """Relearn these topics (and the sentiment model) in the background after the commit,
    without the comments and tags just forgotten."""
    for code in sorted(set(topic_codes)):
        _schedule_topic_training(organization_id, code)
    if sentiment:
        transaction.on_commit(lambda: _train_sentiment_later(organization_id))


def _train_sentiment_later(organization_id: int) -> None:
    from glapp.textanalytics.tasks import train_sentiment_model as task  # tasks call actions; not at import

    task.enqueue(organization_id)
