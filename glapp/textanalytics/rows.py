"""A comment as the pages show it: highlighted pieces, topics with their sentiment, emotions and
what the analyst's controls need. The comments explorer, its re-rendered rows and the response
page (web) build rows here and render them with `textanalytics/_verbatim_row.html`, so a comment
and its tagging controls look and behave the same wherever they appear.

Comment text is hostile input. Highlighting is a list of (piece, marked) segments the template
wraps in <mark>, never markup built here.
"""

from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from glapp.core.stats import nps_category
from glapp.surveys.question_types import EMOTION_LABELS
from glapp.textanalytics import queries
from glapp.textanalytics.analyzers.sentiment import label_for

SENTIMENTS = [("negative", _("Negative")), ("neutral", _("Neutral")), ("positive", _("Positive"))]
EMOTION_NAMES = {code: _(label) for code, label in EMOTION_LABELS.items()}  # the respondents' own words
SOURCES = {"builtin": _("built-in analysis"), "learned": _("the organization's own model"),
           "analyst": _("corrected by an analyst")}


def segments(text: str, spans) -> list[tuple[str, bool]]:
    """Text cut into (piece, marked) at the given [start, end) spans; overlapping or touching
    spans merge, spans outside the text are clipped. The template escapes every piece."""
    merged: list[list[int]] = []
    for start, end in sorted((max(0, int(s)), min(len(text), int(e))) for s, e in spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        if start > at:
            out.append((text[at:start], False))
        out.append((text[start:end], True))
        at = end
    if at < len(text) or not out:
        out.append((text[at:], False))
    return out


def topic_name(topic) -> str:
    english = (get_language() or "sv").startswith("en")
    return (topic.name_en if english else topic.name_sv) or topic.code


@dataclass
class Row:
    v: queries.Verbatim
    segments: list[tuple[str, bool]]
    topics: list[dict]
    emotions: list[str]
    category: str
    source: str
    details: bool = False  # the whole analysis under the comment (the response page)

    @property
    def topic_codes(self) -> set[str]:
        """Topics already on the comment: the "add topic" select leaves them out."""
        return {t["code"] for t in self.topics}


def build_row(v: queries.Verbatim, names: dict[str, str], terms: list[str], topic: str | None,
              details: bool = False) -> Row:
    spans = queries.term_spans(v.text, terms)
    if v.redacted and topic:  # topic spans refer to the redacted text only
        spans += [s for m in v.mentions if m[0] == topic for s in m[1]]
    category = "" if v.score is None else nps_category(v.score)
    return Row(
        v=v, segments=segments(v.text, spans),
        topics=[{"code": code, "name": names.get(code, code), "label": label_for(sentiment), "sentiment": sentiment,
                 "source": source}
                for code, _spans, sentiment, source in v.mentions],
        emotions=[str(EMOTION_NAMES.get(e.get("code"), e.get("code"))) for e in v.emotions
                  if e.get("code") and e.get("code") != "neutral"],
        category=category, source=str(SOURCES.get(v.sentiment_source, v.sentiment_source)), details=details,
    )


DETAILS = ("details", "1")  # a row posted with it is re-rendered with its whole analysis


def controls_context(access, topic_choices: list[tuple[str, str]], keep: list[tuple[str, str]]) -> dict:
    """What a row's inline controls need: whether the reader may tag and correct, the topics
    offered, the sentiments, and the parameters a re-rendered row must keep (DETAILS among them
    where the row shows the whole analysis)."""
    return {"can_write": access.can("write"), "topic_choices": topic_choices, "sentiments": SENTIMENTS,
            "keep": keep}
