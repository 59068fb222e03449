"""Reads for text analysis, scoped to an organization."""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, FloatField, IntegerField, OuterRef, Q, Subquery, Sum, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from glapp.core import stats
from glapp.core.pagination import decode_cursor, encode_cursor
from glapp.responses.queries import comments_of, nps_answers, search_terms, text_answer_count, unit_and_days
from glapp.textanalytics.models import CommentAnalysis, Topic, TopicMention
from glapp.textanalytics.pipelines import pipeline_for


def pending_count(organization_id: int) -> int:
    """Comments the current pipeline has not analyzed yet (for progress bars)."""
    version = pipeline_for(organization_id).version
    done = CommentAnalysis.objects.for_org(organization_id).filter(version=version).count()
    return max(0, text_answer_count(organization_id) - done)


def topics_of(organization_id: int):
    return Topic.objects.for_org(organization_id).order_by("name_sv")


def answer_visible(access, answer_id: int) -> bool:
    """The comment exists in the caller's organization and within their units."""
    from glapp.responses.queries import scoped_responses

    return CommentAnalysis.objects.for_org(access.organization_id).filter(
        answer_id=answer_id, response__in=scoped_responses(access).values("id")).exists()


# --- The verbatim explorer, the topic overview and the topic editor (web) ---------------------
#
# Every read below starts from `analyses_in_scope(access)`: the organization's analyses of
# responses within the caller's units, so a store manager never sees another store's comments.

PREVIEW_SCAN = 2000  # the topic editor's preview runs over this many of the latest comments
PREVIEW_SHOWN = 20


@dataclass
class VerbatimFilter:
    q: str | None = None  # words and "phrases" that must all occur (case-insensitive)
    topic: str | None = None
    sentiment: str | None = None  # negative, neutral, positive
    emotion: str | None = None
    touchpoint: str | None = None
    unit: str | None = None  # that unit and everything below it
    score_min: int | None = None  # NPS of the response
    score_max: int | None = None
    language: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive


def term_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where each search term occurs in `text` (case-insensitive), for highlighting."""
    spans = []
    for term in terms:
        spans.extend(m.span() for m in re.finditer(re.escape(term), text, re.IGNORECASE))
    return sorted(spans)


def analyses_in_scope(access):
    return CommentAnalysis.objects.for_org(access.organization_id).filter(access.unit_filter("response__unit__path"))


def _nps_of_response():
    return Subquery(nps_answers().filter(response=OuterRef("response_id"))
                    .order_by("id").values("number")[:1], output_field=IntegerField())


def filtered_analyses(access, f: VerbatimFilter):
    qs = analyses_in_scope(access).exclude(version="")  # an erased comment has nothing left to read
    for term in search_terms(f.q):
        qs = qs.filter(redacted_text__icontains=term)
    if f.topic:
        qs = qs.filter(Exists(TopicMention.objects.filter(analysis=OuterRef("pk"), topic=f.topic)))
    if f.sentiment:
        qs = qs.filter(sentiment_label=f.sentiment)
    if f.emotion:
        # Emotions are a JSON list of {"code": …, "strength": …}; a code is the only string in it,
        # and both SQLite and PostgreSQL print it as "code": "<code>".
        qs = qs.alias(emotions_text=Cast("emotions", TextField())).filter(
            emotions_text__contains=f'"{f.emotion}"')
    if f.language:
        qs = qs.filter(language=f.language)
    if f.touchpoint:
        qs = qs.filter(response__touchpoint__code=f.touchpoint)
    qs = qs.filter(unit_and_days(access.organization_id, f.unit, f.date_from, f.date_to, prefix="response__"))
    if f.score_min is not None or f.score_max is not None:
        answers = nps_answers().filter(response=OuterRef("response_id"))
        if f.score_min is not None:
            answers = answers.filter(number__gte=f.score_min)
        if f.score_max is not None:
            answers = answers.filter(number__lte=f.score_max)
        qs = qs.filter(Exists(answers))
    return qs


@dataclass
class Verbatim:
    answer_id: int
    response_id: int
    submitted_at: dt.datetime
    touchpoint: str
    unit: str
    score: int | None
    text: str  # redacted, or the original for roles with the "pii" permission who asked for it
    redacted: bool
    language: str
    sentiment: float
    sentiment_label: str
    sentiment_source: str
    emotions: list[dict]
    key_phrases: list[str]
    pii_kinds: list[str]
    mentions: list[tuple[str, list, float, str]] = field(default_factory=list)  # code, spans, sentiment, source


def _verbatims(qs, original: bool) -> list[Verbatim]:
    qs = qs.select_related("response__touchpoint", "response__unit").annotate(score=_nps_of_response())
    if original:
        qs = qs.annotate(original=F("answer__text"))
    rows = list(qs)
    mentions: dict[int, list] = {}
    for analysis_id, code, spans, sentiment, source in TopicMention.objects.filter(
            analysis_id__in=[a.id for a in rows]).order_by("id").values_list(
            "analysis_id", "topic", "spans", "sentiment", "source"):
        mentions.setdefault(analysis_id, []).append((code, spans or [], sentiment, source))
    return [Verbatim(
        answer_id=a.answer_id, response_id=a.response_id, submitted_at=a.response.submitted_at,
        touchpoint=a.response.touchpoint.name if a.response.touchpoint else "",
        unit=a.response.unit.name if a.response.unit else "", score=a.score,
        text=a.original if original else a.redacted_text, redacted=not original, language=a.language,
        sentiment=a.sentiment, sentiment_label=a.sentiment_label, sentiment_source=a.sentiment_source,
        emotions=a.emotions or [], key_phrases=a.key_phrases or [], pii_kinds=a.pii_kinds or [],
        mentions=mentions.get(a.id, []),
    ) for a in rows]


def page_of_verbatims(access, f: VerbatimFilter, cursor: str | None, limit: int, original: bool = False
                      ) -> tuple[list[Verbatim], str | None]:
    """Newest response first; the cursor is the last row's (submitted_at, answer id), which
    survives re-analysis (analysis rows are replaced, answers are not)."""
    if original and not access.can("pii"):
        original = False
    qs = filtered_analyses(access, f).order_by("-response__submitted_at", "-answer_id")
    if cursor:
        stamp, answer_id = decode_cursor(cursor)
        qs = qs.filter(Q(response__submitted_at__lt=stamp) | Q(response__submitted_at=stamp, answer_id__lt=answer_id))
    rows = _verbatims(qs[: limit + 1], original)
    next_cursor = encode_cursor(rows[limit - 1].submitted_at, rows[limit - 1].answer_id) if len(rows) > limit else None
    return rows[:limit], next_cursor


def verbatim(access, answer_id: int, original: bool = False) -> Verbatim | None:
    """One comment within the caller's reach (for re-rendering a row after tagging)."""
    if original and not access.can("pii"):
        original = False
    rows = _verbatims(analyses_in_scope(access).filter(answer_id=answer_id), original)
    return rows[0] if rows else None


def verbatims_of_response(access, response_id: int, original: bool = False) -> dict[int, Verbatim]:
    """A response's analyzed comments within the caller's reach, by answer id (the response page):
    two queries however many comments and topics it has."""
    if original and not access.can("pii"):
        original = False
    rows = _verbatims(analyses_in_scope(access).filter(response_id=response_id).exclude(version="")
                      .order_by("answer_id"), original)
    return {v.answer_id: v for v in rows}


def topic_for(organization_id: int, code: str) -> Topic | None:
    return Topic.objects.for_org(organization_id).filter(code=code).first()


# --- Topic overview --------------------------------------------------------------------------


@dataclass
class TopicFigures:
    topic: Topic
    volume: int  # comments that mention the topic
    share: stats.Estimate  # of all analyzed comments in scope, percent (Wilson)
    sentiment: stats.Estimate  # mean sentiment of the mentions, −1..1 (t interval)
    nps_with: stats.Estimate  # responses whose comment mentions the topic
    nps_without: stats.Estimate  # responses with an analyzed comment that does not
    difference: stats.Difference
    p_adjusted: float | None  # Benjamini–Hochberg across the topics of the table
    significant: bool  # adjusted p < 0.05 and neither side thin


@dataclass
class TopicOverview:
    comments: int  # analyzed comments in scope
    nps: stats.Estimate  # of the responses behind them
    rows: list[TopicFigures]


def _category_counts(qs) -> tuple[int, int, int]:
    """(promoters, passives, detractors) of a queryset annotated with `score`, one per response."""
    c = qs.aggregate(p=Count("response_id", distinct=True, filter=Q(score__gte=9)),
                     pa=Count("response_id", distinct=True, filter=Q(score__gte=7, score__lte=8)),
                     d=Count("response_id", distinct=True, filter=Q(score__lte=6)))
    return c["p"], c["pa"], c["d"]


def topic_overview(access, f: VerbatimFilter, alpha: float = 0.05) -> TopicOverview:
    """Per active topic: volume, share of comments, mean sentiment and the NPS of responses that
    mention it against those that do not, with intervals and tests from `core.stats`."""
    base = filtered_analyses(access, f)
    comments = base.count()
    overall = _category_counts(base.annotate(score=_nps_of_response()))
    mentions = TopicMention.objects.filter(organization_id=access.organization_id, analysis__in=base.values("id"))
    sums = {r["topic"]: r for r in mentions.values("topic").annotate(
        n=Count("analysis_id", distinct=True), s=Sum("sentiment"),
        ss=Sum(F("sentiment") * F("sentiment"), output_field=FloatField())).order_by()}
    scored = mentions.annotate(score=_nps_of_response()).values("topic").annotate(
        p=Count("response_id", distinct=True, filter=Q(score__gte=9)),
        pa=Count("response_id", distinct=True, filter=Q(score__gte=7, score__lte=8)),
        d=Count("response_id", distinct=True, filter=Q(score__lte=6))).order_by()
    nps_counts = {r["topic"]: (r["p"], r["pa"], r["d"]) for r in scored}

    rows = []
    for topic in Topic.objects.for_org(access.organization_id).filter(active=True):
        s = sums.get(topic.code, {"n": 0, "s": 0.0, "ss": 0.0})
        with_ = nps_counts.get(topic.code, (0, 0, 0))
        without = tuple(max(0, o - w) for o, w in zip(overall, with_, strict=True))
        rows.append(TopicFigures(
            topic=topic, volume=s["n"], share=stats.proportion_estimate(min(s["n"], comments), comments),
            sentiment=stats.mean_estimate(s["n"], s["s"] or 0.0, s["ss"] or 0.0),
            nps_with=stats.nps_estimate(*with_), nps_without=stats.nps_estimate(*without),
            difference=stats.nps_difference(with_, without, alpha), p_adjusted=None, significant=False))
    adjusted = stats.bh_adjusted([r.difference.p_value for r in rows])
    for row, p in zip(rows, adjusted, strict=True):
        row.p_adjusted = p
        row.significant = (p is not None and p < alpha and not row.nps_with.is_small
                           and not row.nps_without.is_small)
    rows.sort(key=lambda r: (-r.volume, r.topic.code))
    return TopicOverview(comments, stats.nps_estimate(*overall), rows)


# --- Topic editor: live preview ----------------------------------------------------------------


@dataclass
class Preview:
    scanned: int = 0  # comments the query ran over
    count: int = 0  # of which matched
    matches: list[tuple[int, str, list[tuple[int, int]]]] = field(default_factory=list)  # answer id, text, spans
    error: str = ""
    position: int | None = None  # of a syntax error, in the query


def preview_query(access, source: str, scan: int = PREVIEW_SCAN, shown: int = PREVIEW_SHOWN) -> Preview:
    """Run a topic query, as typed, over the latest comments the caller may see (redacted text)."""
    from glapp.textanalytics.analyzers import query as query_mod

    if not source.strip():
        return Preview()
    try:
        compiled = query_mod.parse(source)
    except query_mod.QuerySyntaxError as exc:
        return Preview(error=exc.message, position=exc.position)
    rows = list(analyses_in_scope(access).order_by("-id").values_list("answer_id", "redacted_text", "language")[:scan])
    out = Preview(scanned=len(rows))
    for answer_id, text, language in rows:
        spans = compiled.match(query_mod.Doc(text, language))
        if spans:
            out.count += 1
            if len(out.matches) < shown:
                out.matches.append((answer_id, text, [tuple(s) for s in spans]))
    return out


def sentiment_model_in_use(organization_id: int):
    """The organization's learned sentiment model record (None: never trained), for saying which
    analyzer scores its comments and how the two compared on held-out comments."""
    from glapp.textanalytics.models import LearnedModel

    return LearnedModel.objects.for_org(organization_id).filter(kind="sentiment").first()


def analyses_by_response(organization_id: int, response_ids) -> dict[int, list[dict]]:
    """Each response's analyzed comments, for the responses API (text always the redacted one)."""
    out: dict[int, list[dict]] = {}
    rows = list(CommentAnalysis.objects.for_org(organization_id).filter(response_id__in=list(response_ids))
                .order_by("id").values("id", "response_id", "answer__question__key", "language", "sentiment",
                                       "sentiment_label", "sentiment_source", "emotions", "key_phrases",
                                       "pii_kinds"))
    if not rows:
        return out
    from glapp.textanalytics.models import TopicMention

    topics: dict[int, list[dict]] = {}
    for analysis_id, code, score in TopicMention.objects.filter(analysis_id__in=[r["id"] for r in rows]) \
            .order_by("id").values_list("analysis_id", "topic", "sentiment"):
        topics.setdefault(analysis_id, []).append({"code": code, "sentiment": score})
    for r in rows:
        out.setdefault(r["response_id"], []).append({
            "question": r["answer__question__key"], "language": r["language"], "sentiment": r["sentiment"],
            "label": r["sentiment_label"], "sentiment_source": r["sentiment_source"],
            "topics": topics.get(r["id"], []), "emotions": r["emotions"], "key_phrases": r["key_phrases"],
            "pii": r["pii_kinds"],
        })
    return out


# --- Teaching a topic: the comments worth tagging next (active learning) ----------------------

TEACH_SCAN = 3000  # latest untagged comments the proposals are chosen from
TEACH_SHOWN = 10


@dataclass
class TeachingProposals:
    positives: int = 0  # analysts' tags: about the topic
    negatives: int = 0  # and not about it
    f1: float | None = None  # the classifier's cross-validated F1 (None: no classifier yet)
    by_classifier: bool = False  # proposals come from the classifier (else from the query's boundary)
    comments: list[tuple[int, str, float | None]] = field(default_factory=list)  # answer id, text, probability


def _query_leaves(node) -> list:
    """The query's word, prefix and phrase lookups, whatever AND/OR/NOT/NEAR combine them."""
    from glapp.textanalytics.analyzers import query as query_mod

    if isinstance(node, query_mod.Or):
        return [leaf for child in node.children for leaf in _query_leaves(child)]
    if isinstance(node, query_mod.And):
        return [leaf for child in node.positives for leaf in _query_leaves(child)]
    if isinstance(node, query_mod.Near):
        return _query_leaves(node.left) + _query_leaves(node.right)
    return [node]


def teaching_proposals(access, topic: Topic, shown: int = TEACH_SHOWN, scan: int = TEACH_SCAN) -> TeachingProposals:
    """The untagged comments (within the caller's units) an analyst's tag would teach the most:
    those the topic's classifier is least sure of; without a classifier, comments at the query's
    edge — alternately one it matches and one that has some of its words but does not match —
    so the first tags give the classifier examples on both sides."""
    from glapp.textanalytics.analyzers import query as query_mod
    from glapp.textanalytics.analyzers.topics import TopicClassifier
    from glapp.textanalytics.models import TopicTag

    tags = TopicTag.objects.for_org(access.organization_id).filter(topic=topic)
    counts = dict(tags.values("applies").annotate(n=Count("id")).values_list("applies", "n"))
    out = TeachingProposals(positives=counts.get(True, 0), negatives=counts.get(False, 0), f1=topic.classifier_f1)
    rows = list(analyses_in_scope(access).exclude(answer_id__in=tags.values("answer_id")).order_by("-id")
                .values_list("answer_id", "redacted_text", "language")[:scan])
    if not rows:
        return out
    if topic.classifier:
        model = TopicClassifier.from_bytes(bytes(topic.classifier))
        probs = model.predict_proba([r[1] for r in rows], [r[2] for r in rows])
        order = sorted(range(len(rows)), key=lambda i: (abs(probs[i] - model.threshold), -rows[i][0]))
        out.by_classifier = True
        out.comments = [(rows[i][0], rows[i][1], probs[i]) for i in order[:shown]]
        return out
    try:
        compiled = query_mod.parse(topic.query)
    except query_mod.QuerySyntaxError:
        return out
    leaves = _query_leaves(compiled.root)
    matched, partial = [], []
    for answer_id, text, language in rows:
        doc = query_mod.Doc(text, language)
        if compiled.match(doc):
            matched.append((answer_id, text, None))
        elif any(leaf.hits(doc) for leaf in leaves):
            partial.append((answer_id, text, None))
        if len(matched) >= shown and len(partial) >= shown:
            break
    mixed = [c for pair in zip(matched, partial, strict=False) for c in pair]
    rest = matched[len(mixed) // 2:] + partial[len(mixed) // 2:]
    out.comments = (mixed + rest)[:shown]
    if len(out.comments) < shown:  # a query that finds (almost) nothing yet: the latest comments
        chosen = {c[0] for c in out.comments}
        out.comments += [(a, t, None) for a, t, _ in rows if a not in chosen][:shown - len(out.comments)]
    return out


# --- Emerging themes and key phrases of groups -------------------------------------------------

THEME_WEEKS = 8
THEME_CAP = 20000  # latest comments considered, so the page stays fast on any organization
THEME_EXAMPLES = 3
GROUP_PHRASE_CAP = 500  # latest comments a group's key phrases are counted over (a sample, for speed)


@dataclass
class ThemeRow:
    label_words: list[str]
    size: int
    weekly_counts: list[tuple[str, int]]
    growth: float
    new: bool
    recent: int
    examples: list[str]  # redacted comments, each text once
    growing: bool = False  # growth beyond chance (adjusted across the themes shown), on enough comments
    p_growth: float | None = None  # Benjamini–Hochberg adjusted


@dataclass
class EmergingThemes:
    considered: int  # uncovered and covered comments read
    uncovered: int  # of which no topic matched
    capped: bool  # more comments than THEME_CAP in the period: only the latest were read
    themes: list[ThemeRow]


def emerging_themes(access, today: dt.date | None = None, weeks: int = THEME_WEEKS, cap: int = THEME_CAP,
                    max_themes: int = 12) -> EmergingThemes:
    """Recurring subjects among the last `weeks` weeks' comments (within the caller's units) that
    no topic matched, from `analyzers.themes`, with weekly counts, growth and example comments."""
    from glapp.textanalytics.analyzers import themes as themes_mod

    tz = timezone.get_current_timezone()
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    qs = analyses_in_scope(access).filter(
        response__submitted_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        response__submitted_at__lt=dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    rows = list(qs.annotate(covered=Exists(TopicMention.objects.filter(analysis=OuterRef("pk"))))
                .order_by("-response__submitted_at", "-id")
                .values_list("answer_id", "redacted_text", "language", "response__submitted_at", "covered")[:cap + 1])
    capped = len(rows) > cap
    rows = rows[:cap]
    texts = {}
    docs = []
    for answer_id, text, language, submitted_at, covered in rows:
        if not covered:
            texts[answer_id] = text
        docs.append(themes_mod.ThemeDocument(id=answer_id, date=timezone.localtime(submitted_at, tz).date(),
                                             covered=covered, text=text if not covered else "", language=language))
    found = themes_mod.find_themes(docs, today=today, max_themes=max_themes) if texts else []
    adjusted = stats.bh_adjusted([t.p_growth for t in found])
    ranked = sorted(zip(found, adjusted, strict=True),
                    key=lambda tp: themes_mod.rank_key(tp[0], tp[0].growing(tp[1])))
    return EmergingThemes(
        considered=len(rows), uncovered=len(texts), capped=capped,
        themes=[ThemeRow(t.label_words, t.size, t.weekly_counts, t.growth, t.new, t.recent,
                         _distinct_examples(texts[i] for i in t.document_ids), growing=t.growing(p), p_growth=p)
                for t, p in ranked])


def _distinct_examples(texts, limit: int = THEME_EXAMPLES) -> list[str]:
    """The first `limit` texts, each once (the same complaint pasted or sent again shows once)."""
    seen, out = set(), []
    for text in texts:
        key = " ".join(text.casefold().split())
        if key not in seen:
            seen.add(key)
            out.append(text)
            if len(out) >= limit:
                break
    return out


def group_stored_phrases(rows, limit: int) -> list[tuple[str, int]]:
    """Most frequent key phrases over (stored key phrases, language) rows, as
    `keyphrases.group_phrases` ranks them (once per comment, inflections together, longer phrases
    weigh more) but from the phrases the pipeline already stored, so no comment is re-read."""
    from collections import Counter, defaultdict

    from glapp.textanalytics.analyzers.morphology import stem

    counts: Counter = Counter()
    spellings: dict[tuple, Counter] = defaultdict(Counter)
    keys: dict[tuple[str, str], tuple] = {}  # phrases repeat a lot: stem each once
    for phrases, language in rows:
        lang = language if language in ("sv", "en") else "sv"
        seen = set()
        for phrase in phrases or ():
            key = keys.get((phrase, lang))
            if key is None:
                key = keys[phrase, lang] = tuple(stem(w, lang) for w in phrase.casefold().split())
            if key and key not in seen:
                seen.add(key)
                counts[key] += 1
                spellings[key][phrase] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1] * (1 + 0.5 * (len(kv[0]) - 1)), kv[0]))
    return [(spellings[key].most_common(1)[0][0], n) for key, n in ranked[:limit]]


def topic_key_phrases(access, f: VerbatimFilter, codes, per_topic: int = 5,
                      cap: int = GROUP_PHRASE_CAP) -> dict[str, list[tuple[str, int]]]:
    """Each topic's most frequent key phrases over its latest `cap` comments matching the filter."""
    base = filtered_analyses(access, f)
    out = {}
    for code in codes:
        rows = (TopicMention.objects.filter(organization_id=access.organization_id, topic=code,
                                            analysis__in=base.values("id"))  # the (org, topic) index first
                .order_by("-analysis_id").values_list("analysis__key_phrases", "analysis__language")[:cap])
        out[code] = group_stored_phrases(rows, per_topic)
    return out


def filter_key_phrases(access, f: VerbatimFilter, limit: int = 10, cap: int = GROUP_PHRASE_CAP
                       ) -> list[tuple[str, int]]:
    """The most frequent key phrases of the verbatim explorer's results (their latest `cap`)."""
    rows = filtered_analyses(access, f).order_by("-id").values_list("key_phrases", "language")[:cap]
    return group_stored_phrases(rows, limit)



# --- Retention (glapp.privacy orchestrates) -----------------------------------------------------

def redacted_texts(organization_id: int, answer_ids) -> dict[int, str]:
    """answer id → its analysis's redacted text, for those of these comments that are analyzed."""
    return dict(CommentAnalysis.objects.for_org(organization_id).filter(answer_id__in=list(answer_ids))
                .exclude(redacted_text="").values_list("answer_id", "redacted_text"))


def unredacted_comment_count(organization_id: int, response_ids) -> int:
    """How many comments of these responses (a queryset of ids) are stored otherwise than redacted:
    their analysis's redacted text differs, or they are not analyzed yet."""
    return comments_of(organization_id, response_ids, unless=Q(analysis__redacted_text=F("text"))).count()


def analysis_facts(organization_id: int, response_ids) -> dict[int, tuple[str | None, frozenset]]:
    """{response id: (its comment's sentiment label, the topic codes found)} for alert rules. A
    response with several comments takes the most negative label and every topic."""
    ids = list(response_ids)
    order = {"negative": 0, "neutral": 1, "positive": 2}
    labels: dict[int, str] = {}
    for rid, label in CommentAnalysis.objects.for_org(organization_id).filter(response_id__in=ids).values_list(
            "response_id", "sentiment_label"):
        if rid not in labels or order.get(label, 1) < order.get(labels[rid], 1):
            labels[rid] = label
    topics: dict[int, set] = {}
    for rid, code in TopicMention.objects.filter(organization_id=organization_id, response_id__in=ids).values_list(
            "response_id", "topic"):
        topics.setdefault(rid, set()).add(code)
    return {rid: (labels.get(rid), frozenset(topics.get(rid, ()))) for rid in set(labels) | set(topics)}
