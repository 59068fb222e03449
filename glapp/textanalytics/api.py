"""/api/v1/analyze, /api/v1/topics and tagging: text analysis for developers.

Thin handlers: the pipeline is `analyzers.pipeline`, writes go through `actions`.
"""

from django.http import HttpRequest
from ninja import Field, Router, Schema

from glapp.accounts.api_auth import readers, writers
from glapp.accounts.queries import Access
from glapp.core.errors import NotFound, PermissionDenied
from glapp.core.schemas import Problem, RowId
from glapp.textanalytics import actions, queries
from glapp.textanalytics.analyzers import sentiment
from glapp.textanalytics.pipelines import pipeline_for

router = Router(tags=["text analysis"])
ERRORS = {401: Problem, 403: Problem, 404: Problem, 422: Problem}


class AnalyzeIn(Schema):
    text: str = Field(..., max_length=10_000, examples=["Kundtjänsten var trevlig men fakturan var fel igen."])
    language: str = Field("auto", pattern="^(auto|sv|en)$", description="auto, sv or en.")


class TopicOut(Schema):
    code: str
    sentiment: float = Field(..., description="Sentiment of the clause the topic was mentioned in, −1..1.")
    label: str
    spans: list[list[int]] = Field(..., description="[start, end] character spans in `redacted`.")
    source: str = Field(..., description="query (the topic's query matched) or model (its learned classifier).")


class ClauseOut(Schema):
    start: int
    end: int
    score: float
    label: str


class EmotionOut(Schema):
    code: str
    strength: float


class AnalysisOut(Schema):
    language: str = Field(..., description="sv, en or other.")
    redacted: str = Field(..., description="The text with personal data replaced by [EMAIL], [PHONE], … .")
    pii: list[str] = Field(..., description="Kinds of personal data found.")
    sentiment: float = Field(..., description="−1 (negative) to 1 (positive).")
    label: str = Field(..., description="negative, neutral or positive.")
    sentiment_source: str = Field(..., description="builtin, or learned (the organization's own model).")
    clauses: list[ClauseOut]
    topics: list[TopicOut]
    emotions: list[EmotionOut]
    key_phrases: list[str]


class TopicIn(Schema):
    name_sv: str = Field(..., max_length=120)
    name_en: str = Field(..., max_length=120)
    query: str = Field(..., max_length=4000, examples=['(faktur* OR invoice OR bill*) AND (fel OR wrong OR "för hög")'])
    description: str = ""
    active: bool = True


class TopicDefinitionOut(TopicIn):
    code: str
    builtin: bool


class TagIn(Schema):
    answer_id: RowId = Field(..., description="The comment (a text answer's id).")
    applies: bool = Field(True, description="false: the comment is NOT about this topic.")


class CorrectionIn(Schema):
    answer_id: RowId
    label: str = Field(..., pattern=f"^({'|'.join(sentiment.LABELS)})$")


def _need_write(access: Access) -> None:
    if not access.can("write"):
        raise PermissionDenied("This needs a role or API key that may write.")


def _need_topic_editor(access: Access) -> None:
    _need_write(access)
    if not access.whole_organization:  # topics read every unit's comments
        raise PermissionDenied("Topics belong to the whole organization; use a key that is not limited to a unit.")


@router.post("/analyze", auth=readers(), response={200: AnalysisOut, **ERRORS}, operation_id="analyze_text",
             summary="Analyze a text with the organization's pipeline")
def analyze_text(request: HttpRequest, payload: AnalyzeIn):
    """Runs offline, on this server: language, redaction, sentiment per comment and clause, the
    organization's topics with the sentiment of their clause, emotions and key phrases. Nothing
    is stored."""
    pipeline = pipeline_for(request.access.organization_id)
    return pipeline.analyze(payload.text, payload.language).to_dict()


def _topic_out(t) -> dict:
    return {"code": t.code, "name_sv": t.name_sv, "name_en": t.name_en, "query": t.query,
            "description": t.description, "active": t.active, "builtin": t.builtin}


@router.get("/topics", auth=readers(), response={200: list[TopicDefinitionOut], **ERRORS}, operation_id="list_topics",
            summary="The organization's topics")
def list_topics(request: HttpRequest):
    return [_topic_out(t) for t in queries.topics_of(request.access.organization_id)]


@router.put("/topics/{code}", auth=writers(), response={200: TopicDefinitionOut, **ERRORS},
            operation_id="save_topic", summary="Create or change a topic")
def save_topic(request: HttpRequest, code: str, payload: TopicIn):
    """A query that does not parse is a 422 naming `query`, with the position of the problem; a
    new topic's code (letters, digits, - and _, at most 80, not `new`, `preview` or `themes`)
    is checked too, naming `code`. Saving re-analyzes the organization's comments in the
    background."""
    _need_topic_editor(request.access)
    topic = actions.save_topic(request.access.organization_id, code, **payload.model_dump())
    return _topic_out(topic)


@router.delete("/topics/{code}", auth=writers(), response={204: None, 409: Problem, **ERRORS},
               operation_id="delete_topic", summary="Delete a topic")
def delete_topic(request: HttpRequest, code: str):
    """A built-in topic is not deleted (409 `builtin-topic`): switch it off with `active: false`."""
    _need_topic_editor(request.access)
    actions.delete_topic(request.access.organization_id, code)
    return 204, None


@router.post("/topics/{code}/tags", auth=writers(), response={204: None, **ERRORS}, operation_id="tag_comment",
             summary="Tag (or untag) a comment with a topic")
def tag_comment(request: HttpRequest, code: str, payload: TagIn):
    """Tags override what queries and models find, and teach the topic's classifier."""
    _need_write(request.access)
    if not queries.answer_visible(request.access, payload.answer_id):
        raise NotFound("No comment with that id.")
    actions.tag_comment(request.access.organization_id, payload.answer_id, code, payload.applies)
    return 204, None


@router.post("/sentiment-corrections", auth=writers(), response={204: None, **ERRORS},
             operation_id="correct_sentiment", summary="Correct a comment's sentiment")
def correct_sentiment(request: HttpRequest, payload: CorrectionIn):
    """The correction wins over every model and is used when the organization's model is trained."""
    _need_write(request.access)
    if not queries.answer_visible(request.access, payload.answer_id):
        raise NotFound("No comment with that id.")
    actions.correct_sentiment(request.access.organization_id, payload.answer_id, payload.label)
    return 204, None
