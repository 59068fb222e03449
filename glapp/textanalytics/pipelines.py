"""An organization's compiled text pipeline (its topics' queries and classifiers, its learned
sentiment model), kept per process and rebuilt only when those change. A read: it fills its
cache and writes nothing, so queries may call it."""

import hashlib

from glapp.textanalytics.analyzers import learned
from glapp.textanalytics.analyzers import topics as topics_mod
from glapp.textanalytics.analyzers.pipeline import Pipeline, TopicSpec
from glapp.textanalytics.models import ALL_LANGUAGES, LearnedModel, Topic

_pipelines: dict[int, tuple[tuple, Pipeline]] = {}


def pipeline_for(organization_id: int) -> Pipeline:
    """The organization's pipeline, rebuilt only when its topics or models change."""
    topics = list(Topic.objects.for_org(organization_id).filter(active=True).order_by("code")
                  .values_list("code", "query", "updated_at", "classifier"))
    models = list(LearnedModel.objects.for_org(organization_id).filter(in_use=True)
                  .values_list("language", "id", "created_at", "model"))
    key = (tuple((c, q, u) for c, q, u, _ in topics),
           tuple((lang, hashlib.sha256(bytes(blob)).hexdigest()) for lang, _, _, blob in models))
    cached = _pipelines.get(organization_id)
    if cached and cached[0] == key:
        return cached[1]
    specs = [TopicSpec(code, query, topics_mod.TopicClassifier.from_bytes(bytes(clf)) if clf else None)
             for code, query, _, clf in topics]
    learned_models = {}
    for lang, _, _, blob in models:
        model = learned.LearnedSentiment.from_bytes(bytes(blob))
        for code in (("sv", "en") if lang == ALL_LANGUAGES else (lang,)):
            learned_models[code] = model
    pipeline = Pipeline(specs, learned_models)
    _pipelines[organization_id] = (key, pipeline)
    return pipeline
