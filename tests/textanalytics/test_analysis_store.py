"""Analysis of stored comments: idempotent, versioned, redacted, taught by analysts."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from glapp.textanalytics import actions, pipelines
from glapp.textanalytics.models import CommentAnalysis, Topic, TopicMention
from tests.web.helpers import add_responses

pytestmark = pytest.mark.django_db


def comments(org, *texts, **extra):
    return add_responses(org, *[{"nps": 2 if i % 2 else 9, "comment": t, **extra} for i, t in enumerate(texts)])


def test_every_comment_is_analyzed_once_per_pipeline_version(org):
    comments(org, "Personalen var jättetrevlig och hjälpsam!", "Fakturan var fel igen, mycket dåligt.",
             "The delivery was late and nobody answered the phone.")
    assert actions.analyze_pending(org.id) == 3
    assert actions.analyze_pending(org.id) == 0  # nothing new: a repeated task does nothing
    by_text = {a.redacted_text: a for a in CommentAnalysis.objects.all()}
    assert by_text["Personalen var jättetrevlig och hjälpsam!"].sentiment_label == "positive"
    assert by_text["Fakturan var fel igen, mycket dåligt."].sentiment_label == "negative"
    assert by_text["The delivery was late and nobody answered the phone."].language == "en"
    assert TopicMention.objects.filter(topic__in=Topic.objects.values("code")).exists()


def test_personal_data_never_reaches_the_analysis(org):
    comments(org, "Ring mig på 070-123 45 67 eller mejla anna.svensson@example.com, tack.")
    actions.analyze_pending(org.id)
    analysis = CommentAnalysis.objects.get()
    assert "070" not in analysis.redacted_text and "example.com" not in analysis.redacted_text
    assert {"phone", "email"} <= {k.lower() for k in analysis.pii_kinds}


def test_changing_a_topic_reanalyzes_with_a_new_version(org):
    comments(org, "Väntetiden i telefon var alldeles för lång.")
    actions.analyze_pending(org.id)
    before = CommentAnalysis.objects.get().version
    actions.save_topic(org.id, "telefonko", name_sv="Telefonkö", name_en="Phone queue", query="telefon* AND vänt*")
    assert actions.analyze_pending(org.id) == 1
    after = CommentAnalysis.objects.get()
    assert after.version != before
    assert TopicMention.objects.filter(topic="telefonko").count() == 1


def test_a_bad_query_is_refused_with_its_position(org):
    from glapp.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        actions.save_topic(org.id, "broken", name_sv="x", name_en="x", query="(pris AND")
    assert exc.value.errors[0].field == "query"


def test_tags_and_corrections_override_models_and_survive_reanalysis(org):
    comments(org, "Helt okej upplevelse.")
    actions.analyze_pending(org.id)
    analysis = CommentAnalysis.objects.get()
    code = Topic.objects.filter(organization=org).first().code
    actions.tag_comment(org.id, analysis.answer_id, code, True)
    actions.correct_sentiment(org.id, analysis.answer_id, "negative")
    actions.save_topic(org.id, "ny", name_sv="Ny", name_en="New", query="okej")  # forces a new version
    actions.analyze_pending(org.id)
    again = CommentAnalysis.objects.get()
    assert again.sentiment_label == "negative" and again.sentiment_source == "analyst"
    assert TopicMention.objects.filter(analysis=again, topic=code, source="tag").exists()


def test_glapp_analyze_file_writes_one_result_per_row(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,Mycket bra service!\n2,Terrible support and a wrong invoice.\n3,\n",
                      encoding="utf-8")
    out = tmp_path / "out.jsonl"
    call_command("analyze", str(source), "--column", "text", "--out", str(out))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in rows] == [2, 3, 4]
    assert rows[0]["label"] == "positive" and rows[0]["language"] == "sv"
    assert rows[1]["label"] == "negative" and rows[1]["language"] == "en"
    assert {"redacted", "clauses", "topics", "emotions", "key_phrases"} <= set(rows[0])


def analyze_file(tmp_path, rows: list[dict], *args: str) -> list[dict]:
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    call_command("analyze", str(source), "--out", str(out), *args)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_glapp_analyze_file_keeps_the_id_column(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("respondent,text\nR-9,Bra\nR-7,Dåligt\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    call_command("analyze", str(source), "--id-column", "respondent", "--out", str(out))
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == ["R-9", "R-7"]
    rows = analyze_file(tmp_path, [{"ref": 12, "text": "Bra"}, {"ref": 13, "text": "Dåligt"}], "--id-column", "ref")
    assert [r["id"] for r in rows] == [12, 13]
    with pytest.raises(CommandError, match="no field 'nope'"):
        analyze_file(tmp_path, [{"text": "Bra"}], "--id-column", "nope")


def test_short_comments_take_the_language_of_the_file(tmp_path):
    """"Fast service" is Swedish words too; in a file of English comments it is English, and in
    a file of Swedish ones "Super" stays Swedish. A mixed file decides nothing for them."""
    english = ["The agent solved my problem quickly and was very friendly.",
               "I waited two hours on the phone and nobody could help me.",
               "Great prices but the delivery was late again.", "Thank you for the quick refund!"]
    swedish = ["Personalen var trevlig och hjälpte mig direkt.", "Jag fick vänta alldeles för länge på svar.",
               "Leveransen kom i tid och allt fungerade.", "Tack för snabb hjälp med fakturan!"]
    shorts = ["Fast service", "Fantastic service", "Super"]
    rows = analyze_file(tmp_path, [{"text": t} for t in english + shorts])
    assert [r["language"] for r in rows[-3:]] == ["en", "en", "en"]
    rows = analyze_file(tmp_path, [{"text": t} for t in swedish + shorts])
    assert [r["language"] for r in rows[-3:]] == ["sv", "sv", "sv"]
    rows = analyze_file(tmp_path, [{"text": t} for t in english + swedish + shorts])
    assert rows[-1]["language"] == "sv"  # no prior: the built-in lean, as for a single comment
    rows = analyze_file(tmp_path, [{"text": t} for t in [*english, "Personalen var otrevlig och kassan var stängd."]])
    assert rows[-1]["language"] == "sv"  # a clear Swedish text in an English file stays Swedish


def test_a_file_is_read_with_the_topics_an_organization_has(org, tmp_path):
    """One topic set in both modes: a file gets the topics a new organization has switched on,
    industry packs only when named, and with --org exactly that organization's topics."""
    comment = [{"text": "My baggage was lost and the staff were rude."}]
    topics_of = lambda rows: {t["code"] for t in rows[0]["topics"]}  # noqa: E731
    default = topics_of(analyze_file(tmp_path, comment))
    assert "staff_attitude" in default and "baggage" not in default
    assert "baggage" in topics_of(analyze_file(tmp_path, comment, "--pack", "travel"))
    assert topics_of(analyze_file(tmp_path, comment, "--org", org.slug)) == default
    Topic.objects.filter(organization=org, code="baggage").update(active=True)
    assert "baggage" in topics_of(analyze_file(tmp_path, comment, "--org", org.slug))
    with pytest.raises(CommandError, match="--pack"):
        analyze_file(tmp_path, comment, "--org", org.slug, "--pack", "travel")


def test_without_originals_the_stored_comment_becomes_the_redacted_text(org):
    from glapp.responses.models import Answer

    org.keep_comment_originals = False
    org.save()
    comments(org, "Mejla mig på kalle.anka@example.com om fakturan.", "Helt okej.")
    actions.analyze_pending(org.id)
    texts = set(Answer.objects.filter(question_type="text").values_list("text", flat=True))
    assert not any("example.com" in t for t in texts)
    assert "Helt okej." in texts  # nothing personal: untouched


def test_readers_without_pii_rights_see_redacted_comments(org, client):
    from glapp.accounts.models import Role
    from tests.factories import make_user
    from tests.web.helpers import login

    comments(org, "Ring 070-123 45 67, fråga efter Anna Svensson.")
    login(client, make_user(org, "viewer", Role.VIEWER))
    page = client.get("/responses/").content.decode()
    assert "070-123" not in page and "[PHONE]" in page
    client.logout()
    login(client, make_user(org, "chef", Role.OWNER))
    assert "070-123 45 67" in client.get("/responses/").content.decode()


def test_the_learned_model_is_used_only_when_it_beats_the_builtin(org):
    from glapp.textanalytics.models import LearnedModel

    # An organization whose customers use their own words: "krångel" and "smidigt" decide.
    texts = [("Mycket krångel med abonnemanget", 2), ("Allt gick smidigt med abonnemanget", 10)] * 60
    add_responses(org, *[{"nps": score, "comment": f"{text} ({i})"} for i, (text, score) in enumerate(texts)])
    actions.analyze_pending(org.id)
    report = actions.train_sentiment_model(org.id)
    stored = LearnedModel.objects.get(organization=org)
    assert stored.trained_on == report["labelled"] == 120 and report["n"] == 24  # 20 % held out
    assert stored.in_use == (report["learned_f1"] > report["builtin_f1"] + 0.01)
    assert stored.learned_f1 == pytest.approx(report["learned_f1"])
    if stored.in_use:
        actions.analyze_pending(org.id)
        assert set(CommentAnalysis.objects.values_list("sentiment_source", flat=True)) == {"learned"}


def test_too_few_comments_keep_the_builtin(org):
    comments(org, "Bra", "Dåligt")
    actions.analyze_pending(org.id)
    report = actions.train_sentiment_model(org.id)
    assert report["use"] == "builtin"
    assert CommentAnalysis.objects.filter(sentiment_source="builtin").count() == 2


def test_worker_processes_give_the_same_results(org, tmp_path):
    texts = ["Mycket bra service!", "Terrible support and a wrong invoice.", "Leveransen var sen, ring 070-123 45 67"]
    comments(org, *texts * 3)
    assert actions.analyze_pending(org.id, workers=2) == 9
    by_two = sorted(CommentAnalysis.objects.values_list("redacted_text", "sentiment_label", "language"))
    CommentAnalysis.objects.all().delete()
    assert actions.analyze_pending(org.id) == 9
    assert sorted(CommentAnalysis.objects.values_list("redacted_text", "sentiment_label", "language")) == by_two
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps({"text": t}) for t in texts), encoding="utf-8")
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}.jsonl"
        call_command("analyze", str(source), "--out", str(out), "--workers", workers)
        outs.append(out.read_text(encoding="utf-8"))
    assert outs[0] == outs[1] and outs[0].count("\n") == 3


def test_industry_pack_topics_start_switched_off(org):
    from glapp.textanalytics.analyzers import taxonomy

    active = dict(Topic.objects.filter(organization=org).values_list("code", "active"))
    assert set(active) == set(taxonomy.BY_CODE)
    assert {code for code, on in active.items() if not on} == {"baggage", "booking", "cancellations",
                                                              "cleanliness_comfort"}
    # Switched on by the organization, a pack topic stays on.
    t = Topic.objects.get(organization=org, code="baggage")
    actions.save_topic(org.id, "baggage", name_sv=t.name_sv, name_en=t.name_en, query=t.query, active=True)
    actions.ensure_builtin_topics(org.id)  # creating what is missing again switches nothing off
    assert Topic.objects.get(organization=org, code="baggage").active
    assert "baggage" in {s.code for s in pipelines.pipeline_for(org.id).topics}


def test_unedited_earlier_built_in_queries_are_brought_up_to_date(org, monkeypatch):
    from glapp.textanalytics.analyzers import taxonomy

    old, edited = "kö OR minuter", "kö OR minuter OR telefonkö"
    monkeypatch.setitem(taxonomy.SUPERSEDED, "waiting_time", frozenset({taxonomy.fingerprint(old)}))
    Topic.objects.filter(organization=org, code="waiting_time").update(query=old)  # as an earlier glapp made it
    Topic.objects.filter(organization=org, code="price").update(query=edited)
    actions.ensure_builtin_topics(org.id)  # creates what is missing, upgrades nothing
    assert Topic.objects.get(organization=org, code="waiting_time").query == old
    assert actions.upgrade_builtin_topics(org.id) == ["waiting_time"]
    assert Topic.objects.get(organization=org, code="waiting_time").query == taxonomy.BY_CODE["waiting_time"].query
    assert Topic.objects.get(organization=org, code="price").query == edited  # the organization's own
    assert actions.upgrade_builtin_topics(org.id) == []


def test_a_copy_of_the_previous_taxonomy_is_upgraded_without_patching(org):
    """taxonomy-2's payment query (instal* took "installation") in an organization is replaced by
    the current one by the real SUPERSEDED table; an edited copy stays."""
    from glapp.textanalytics.analyzers import taxonomy

    previous = ('betalning OR betala OR betalade OR betalat OR betalsätt OR swish OR klarna OR kortbetalning '
                'OR "kortet" OR delbetalning OR avbetalning OR autogiro OR "e-faktura" OR kontant OR kontanter '
                'OR payment OR payments OR pay OR paid OR paying OR "credit card" OR "debit card" OR card OR '
                'paypal OR "apple pay" OR "google pay" OR instal* OR cash OR "direct debit" OR declined')
    Topic.objects.filter(organization=org, code="payment").update(query=previous)
    Topic.objects.filter(organization=org, code="loyalty").update(query="bonus OR points OR miles")  # edited
    assert "payment" in actions.upgrade_builtin_topics(org.id)
    assert Topic.objects.get(organization=org, code="payment").query == taxonomy.BY_CODE["payment"].query
    assert Topic.objects.get(organization=org, code="loyalty").query == "bonus OR points OR miles"


def test_analyses_by_an_older_pipeline_are_caught_up_by_the_housekeeping(org, other_org, settings):
    """After an upgrade changed an analyzer, stored results are redone in the background without
    anyone editing a topic: the worker's housekeeping queues each organization that is behind."""
    from glapp.cli.management.commands.worker import HOUSEKEEPING_TASKS
    from glapp.textanalytics.tasks import queue_outdated, reanalyze_outdated

    assert reanalyze_outdated in HOUSEKEEPING_TASKS
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}
    comments(org, "Ärendet är fortfarande inte löst.")
    comments(other_org, "Toppen!")
    actions.analyze_pending(org.id)
    actions.analyze_pending(other_org.id)
    assert queue_outdated() == []  # all current: nothing queued
    CommentAnalysis.objects.filter(organization=org).update(version="sentiment-1|an older pipeline")
    assert queue_outdated() == [org.id]
    assert CommentAnalysis.objects.get(organization=org).version == pipelines.pipeline_for(org.id).version
    assert CommentAnalysis.objects.get(organization=org).sentiment_label == "negative"


def test_the_housekeeping_upgrades_topics_and_queues_each_organization_once(org, monkeypatch):
    """An upgraded built-in query changes the pipeline version: one re-analysis is queued, and
    while it waits (or runs) the next housekeeping run queues no second one."""
    from django_tasks_db.models import DBTaskResult

    from glapp.textanalytics.analyzers import taxonomy
    from glapp.textanalytics.tasks import queue_outdated, reanalyze_organization

    old = "kö OR minuter"
    Topic.objects.filter(organization=org, code="waiting_time").update(query=old)  # as an earlier glapp made it
    comments(org, "Lång kö i telefon.")
    actions.analyze_pending(org.id)
    monkeypatch.setitem(taxonomy.SUPERSEDED, "waiting_time", frozenset({taxonomy.fingerprint(old)}))
    assert queue_outdated() == [org.id]
    assert queue_outdated() == []  # the first is still waiting
    assert Topic.objects.get(organization=org, code="waiting_time").query == taxonomy.BY_CODE["waiting_time"].query
    assert DBTaskResult.objects.filter(task_path=reanalyze_organization.module_path).count() == 1
