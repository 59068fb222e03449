"""Teaching a topic: a classifier learned from analysts' tags (held-out F1 stored, used by the
pipeline for what the query misses), the comments proposed for tagging next, tagging from the
topic editor (writers only, own units only), and key phrases of groups of comments."""

import re

import pytest
from django.test import override_settings

from glapp.accounts.models import Role
from glapp.accounts.queries import Access
from glapp.textanalytics import actions, pipelines, queries
from glapp.textanalytics.analyzers.topics import TopicClassifier
from glapp.textanalytics.models import Topic, TopicTag
from tests.factories import make_user
from tests.textanalytics.test_views import HX, analyzed, topic
from tests.web.helpers import login

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}

# Comments about the coffee in the store (the topic's query, "xyzzy", never matches them) and
# comments about other things: the classifier must learn the topic from tags alone.
COFFEE = ["Kaffet var kallt", "Kallt kaffe i automaten", "Kaffet smakade bränt", "Inget kaffe kvar i termosen",
          "Kaffet var ljummet och beskt", "Kaffeautomaten var trasig", "Dåligt kaffe vid kassan",
          "Kaffet var slut hela dagen", "Kaffet smakar diskvatten", "Kaffemaskinen fungerade inte",
          "Kaffet var gammalt", "Beskt kaffe och kalla bullar", "Gratis kaffe men det var kallt",
          "Kaffet borde vara varmare", "Saknade mjölk till kaffet"]
OTHER = ["Lång kö i kassan", "Trevlig personal", "Priserna är för höga", "Leveransen kom sent",
         "Appen kraschar hela tiden", "Fakturan var fel", "Bra erbjudanden i veckan", "Svårt att hitta parkering",
         "Rent och snyggt i butiken", "Hittade inte varan på hyllan", "Kassörskan var otrevlig",
         "Bra sortiment av frukt", "Returen tog lång tid", "Hemsidan är rörig", "Öppettiderna passar mig"]


@pytest.fixture
def coffee(org):
    t = topic(org, "coffee", "Kaffe", "Coffee", query="xyzzy")
    ids = {"yes": [analyzed(org, text) for text in COFFEE], "no": [analyzed(org, text) for text in OTHER]}
    return t, ids


def tag_all(org, ids, applies, code="coffee"):
    for answer_id in ids:
        actions.tag_comment(org.id, answer_id, code, applies)


def test_too_few_tags_train_nothing(org, coffee):
    _, ids = coffee
    tag_all(org, ids["yes"][:9], True)
    tag_all(org, ids["no"][:12], False)
    report = actions.train_topic_classifier(org.id, "coffee")
    assert report["trained"] is False and report["positives"] == 9 and report["needed"] == 10
    assert Topic.objects.get(organization=org, code="coffee").classifier is None


def test_training_from_tags_stores_a_classifier_with_held_out_f1(org, coffee):
    _, ids = coffee
    tag_all(org, ids["yes"], True)
    tag_all(org, ids["no"], False)
    report = actions.train_topic_classifier(org.id, "coffee")
    assert report["trained"] is True and report["positives"] == 15 and report["negatives"] == 15
    stored = Topic.objects.get(organization=org, code="coffee")
    assert stored.classifier_f1 == pytest.approx(report["f1"]) and 0.7 <= stored.classifier_f1 <= 1.0
    model = TopicClassifier.from_bytes(bytes(stored.classifier))
    # Unseen comments: the query ("xyzzy") finds neither, the classifier tells them apart.
    p_coffee, p_other = model.predict_proba(["Kaffet var iskallt idag", "Personalen var trevlig"], "sv")
    assert p_coffee > 0.5 > p_other
    # And the organization's pipeline now carries it, so re-analysis finds what the query misses.
    spec = next(s for s in pipelines.pipeline_for(org.id).topics if s.code == "coffee")
    assert spec.classifier is not None


def test_missing_negatives_are_sampled_from_comments_the_query_does_not_match(org, coffee):
    _, ids = coffee
    tag_all(org, ids["yes"][:12], True)
    report = actions.train_topic_classifier(org.id, "coffee")
    assert report["trained"] is True
    assert report["negatives"] == report["sampled_negatives"] == 12  # as many as the positives


@override_settings(TASKS=IMMEDIATE)
def test_each_tag_relearns_the_topic(org, coffee, django_capture_on_commit_callbacks):
    _, ids = coffee
    tag_all(org, ids["yes"][:10], True)
    tag_all(org, ids["no"][:9], False)
    assert Topic.objects.get(organization=org, code="coffee").classifier_f1 is None
    with django_capture_on_commit_callbacks(execute=True):
        tag_all(org, ids["no"][9:10], False)  # the tenth "no": now there is enough to learn from
    assert Topic.objects.get(organization=org, code="coffee").classifier_f1 is not None


# --- Proposals and tagging from the topic editor ---------------------------------------------


def test_without_a_classifier_the_query_edge_is_proposed(org):
    t = topic(org, "cold-coffee", "Kallt kaffe", "Cold coffee", query="kaffe* AND kall*")
    match = analyzed(org, "Kaffet var kallt")
    partial = analyzed(org, "Kaffet var gott")
    unrelated = analyzed(org, "Bra service")
    proposals = queries.teaching_proposals(Access(org, Role.OWNER), t)
    got = [c[0] for c in proposals.comments]
    assert not proposals.by_classifier
    assert set(got[:2]) == {match, partial}  # the edge first, then the latest comments to fill the list
    assert unrelated in got


def test_with_a_classifier_the_least_sure_untagged_comments_are_proposed(org, coffee):
    t, ids = coffee
    tag_all(org, ids["yes"], True)
    tag_all(org, ids["no"], False)
    actions.train_topic_classifier(org.id, "coffee")
    unsure = [analyzed(org, text) for text in ("Kaffet", "Kassan", "Kaffe och kö", "Bullarna var goda")]
    t.refresh_from_db()
    proposals = queries.teaching_proposals(Access(org, Role.OWNER), t, shown=3)
    assert proposals.by_classifier and (proposals.positives, proposals.negatives) == (15, 15)
    assert len(proposals.comments) == 3 and {c[0] for c in proposals.comments} <= set(unsure)  # tagged ones never
    distances = [abs(p - 0.5) for _, _, p in proposals.comments]
    assert distances == sorted(distances)


@pytest.mark.parametrize("role", [Role.VIEWER])
def test_readers_see_proposals_but_cannot_tag(client, org, coffee, role):
    _, ids = coffee
    login(client, make_user(org, "vera", role=role))
    html = client.get("/topics/coffee/").text
    assert "Teach this topic" in html or "Lär upp ämnet" in html
    assert "/teach/" not in html
    assert client.post(f"/topics/coffee/teach/{ids['yes'][0]}/", {"applies": "1"}).status_code == 403
    assert not TopicTag.objects.exists()


def test_tagging_from_the_editor(client, org, coffee):
    login(client, make_user(org, "anna"))
    html = client.get("/topics/coffee/").text
    proposed = [int(x) for x in re.findall(r'id="teach-(\d+)"', html)]
    assert proposed and f"/topics/coffee/teach/{proposed[0]}/" in html
    response = client.post(f"/topics/coffee/teach/{proposed[0]}/", {"applies": "0"}, **HX)
    assert response.status_code == 200 and f'data-tagged="{proposed[0]}"' in response.text
    tag = TopicTag.objects.get(answer_id=proposed[0])
    assert tag.applies is False and tag.topic.code == "coffee"
    assert f'id="teach-{proposed[0]}"' not in client.get("/topics/coffee/").text  # tagged: no longer proposed
    # A plain form post goes back to the editor.
    assert client.post(f"/topics/coffee/teach/{proposed[1]}/", {"applies": "1"}).status_code == 302
    assert client.post("/topics/nope/teach/1/", {"applies": "1"}).status_code == 404


def test_another_units_comment_cannot_be_tagged_or_seen(client, org):
    topic(org, "cold-coffee", "Kallt kaffe", "Cold coffee", query="kaffe")
    north = analyzed(org, "Kaffet var kallt i norr", unit="acme-north-store")
    south = analyzed(org, "Kaffet var kallt i söder", unit="acme-south-store")
    login(client, make_user(org, "nils", unit_code="acme-north-store"))
    html = client.get("/topics/cold-coffee/").text
    assert f'id="teach-{north}"' in html and f'id="teach-{south}"' not in html
    assert client.post(f"/topics/cold-coffee/teach/{south}/", {"applies": "1"}).status_code == 404


def test_proposed_comments_are_escaped(client, org):
    topic(org, "cold-coffee", "Kallt kaffe", "Cold coffee", query="kaffe")
    analyzed(org, '<script>alert("x")</script> kaffe')
    login(client, make_user(org, "anna"))
    html = client.get("/topics/cold-coffee/").text
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; kaffe" in html


# --- Key phrases of groups -------------------------------------------------------------------


def test_key_phrases_per_topic_and_per_filter(client, org):
    from glapp.textanalytics.analyzers import keyphrases
    from glapp.textanalytics.models import CommentAnalysis

    topic(org, "waiting", "Väntetid", "Waiting time")
    for text in ("Alldeles för lång väntetid i kassan", "Långa väntetider", "Lång väntetid <b>igen</b>"):
        analyzed(org, text, topics={"waiting": [[0, 4]]})
    analyzed(org, "Trasig förpackning <b>igen</b>")
    for a in CommentAnalysis.objects.all():  # as the pipeline stores them
        a.key_phrases = keyphrases.extract(a.redacted_text, "sv")
        a.save(update_fields=["key_phrases"])
    login(client, make_user(org, "anna"))
    html = client.get("/topics/").text
    assert 'data-testid="phrases-waiting"' in html and "lång väntetid (3)" in html  # inflections counted together
    html = client.get("/verbatims/?q=f%C3%B6rpackning").text
    assert "/verbatims/phrases/?q=f%C3%B6rpackning" in html  # loaded after the list
    html = client.get("/verbatims/phrases/?q=f%C3%B6rpackning", **HX).text
    assert 'data-testid="key-phrases"' in html and "trasig förpackning (1)" in html.lower()
    assert "lång väntetid" not in html and "<b>" not in html
    assert "lång väntetid (3)" in client.get("/verbatims/phrases/", **HX).text
