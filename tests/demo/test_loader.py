"""The demo organization in the database: built through the real actions, loaded through the one
ingestion path, idempotent, and its CSV file re-imports cleanly."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from glapp.accounts.models import Membership, Organization, Role, Unit, User
from glapp.contacts.models import Customer
from glapp.demo import company as co
from glapp.demo import loader
from glapp.demo.csvfile import write_csv
from glapp.demo.generator import DemoGenerator
from glapp.journeys.models import Stage, Touchpoint
from glapp.responses import tabular
from glapp.responses.catalog import Catalog
from glapp.responses.models import Answer, Response
from glapp.responses.validation import clean_response
from glapp.surveys.models import Survey
from tests.factories import make_org, make_user

pytestmark = pytest.mark.django_db
END = dt.date(2026, 6, 30)


@pytest.fixture
def demo_org():
    return loader.create_demo_org()


def test_demo_org_has_the_company_journey_and_surveys(demo_org):
    assert demo_org.name == "Exempelbolaget AB"
    root = Unit.objects.get(organization=demo_org, parent=None)
    regions = Unit.objects.filter(organization=demo_org, parent=root).order_by("id")
    assert [u.name for u in regions] == ["Norr", "Mitt", "Stockholm", "Väst", "Syd"]
    assert all(u.kind == Unit.Kind.REGION for u in regions)
    umea = Unit.objects.get(organization=demo_org, code="butik-umea")
    assert umea.kind == Unit.Kind.STORE and umea.parent.code == "norr"
    assert umea.path.startswith(root.path)
    assert Unit.objects.filter(organization=demo_org, kind=Unit.Kind.STORE).count() == len(co.STORES)

    stages = Stage.objects.filter(organization=demo_org).order_by("position")
    assert [s.name for s in stages] == ["Köp", "Leverans", "Kundkontakt", "Förnyelse"]
    assert list(Touchpoint.objects.filter(organization=demo_org).values_list("code", flat=True)) == [
        "webbkassa", "butik", "hemleverans", "ombud", "kom-igang", "kundtjanst-telefon", "chatt",
        "fornyelse", "uppsagning",
    ]
    surveys = {s.code: s for s in Survey.objects.filter(organization=demo_org)}
    assert len(surveys) == len(co.SURVEYS)
    assert all(s.status == Survey.Status.ACTIVE and s.current_version_id for s in surveys.values())
    assert surveys["relation"].kind == Survey.Kind.RELATIONSHIP and surveys["relation"].touchpoint is None
    assert surveys["kundtjanst"].touchpoint.code == "kundtjanst-telefon"
    assert {q.key: q.type for q in surveys["kundtjanst"].questions.all()} == {"nps": "nps", "ces": "ces",
                                                                             "comment": "text"}
    assert {q.type for q in surveys["hemleverans"].questions.all()} >= {"csat"}
    assert {q.type for q in surveys["kom-igang"].questions.all()} >= {"emotion"}
    for q in surveys["webbkassa"].questions.all():
        assert set(q.texts) == {"sv", "en"} and all(q.texts.values())


def test_load_goes_through_ingestion_and_reloading_adds_nothing(demo_org):
    seen = []
    result = loader.load_responses(demo_org, DemoGenerator(1, 2000, END), chunk=700, progress=seen.append)
    assert (result.created, result.existing) == (2000, 0)
    assert seen == [700, 700, 600]
    stored = Response.objects.filter(organization=demo_org)
    assert stored.count() == 2000
    assert set(stored.values_list("source", flat=True)) == {"demo"}
    assert stored.filter(touchpoint__code="kundtjanst-telefon").exists()
    assert stored.filter(unit__code="butik-umea").exists()
    first = stored.get(external_id="demo-1-0")
    assert first.customer.external_id.startswith("demo-1-k")
    assert first.customer.segment in {"private", "business", "student", "senior"}
    assert Answer.objects.filter(response__organization=demo_org, question_type="nps").count() == 2000
    assert stored.filter(has_comment=True).count() == Answer.objects.filter(
        response__organization=demo_org, question_type="text").exclude(text="").count()

    again = loader.load_responses(demo_org, DemoGenerator(1, 2000, END))
    assert (again.created, again.existing) == (0, 2000)
    assert stored.count() == 2000
    assert not loader.foreign_demo_responses(demo_org, 1)
    assert loader.foreign_demo_responses(demo_org, 2)


def test_csv_file_reimports_through_validation(demo_org, tmp_path):
    path = tmp_path / "demo.csv"
    assert write_csv(DemoGenerator(4, 2000, END), path) == 2000
    catalog = Catalog.load(demo_org.id)
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == tabular.header(co.QUESTION_KEYS, co.METADATA_KEYS)
        cleaned = [clean_response(tabular.row_to_raw(row), catalog) for row in reader]
    errors = [c for c in cleaned if isinstance(c, list)]
    assert not errors, errors[:3]
    originals = list(DemoGenerator(4, 2000, END))
    assert [c.external_id for c in cleaned] == [r["external_id"] for r in originals]
    by_id = {r["external_id"]: r for r in originals}
    sample = cleaned[1234]
    raw = by_id[sample.external_id]
    assert sample.metadata == {k: str(v) for k, v in raw["metadata"].items()}
    assert sample.segment == raw["segment"] and sample.language == raw["language"]
    numbers = {a.question_type: a.number for a in sample.answers if a.number is not None}
    assert numbers["nps"] == raw["answers"]["nps"]


def test_delete_removes_everything(demo_org):
    loader.load_responses(demo_org, DemoGenerator(1, 1500, END))
    loader.ensure_users(demo_org, "glapp-demo")
    loader.delete_demo_org(demo_org)
    assert not Organization.objects.filter(slug=co.ORG_SLUG).exists()
    assert not Response.objects.filter(organization_id=demo_org.id).exists()
    assert not Answer.objects.exists()
    assert not Customer.objects.filter(organization_id=demo_org.id).exists()
    assert not Membership.objects.filter(organization_id=demo_org.id).exists()


def test_demo_users_get_their_roles_and_never_take_over_a_real_account(demo_org):
    other = make_org("acme")
    real_anna = make_user(other, "anna", Role.VIEWER)
    outcomes = {o.user.username: o.status for o in loader.ensure_users(demo_org, "glapp-demo")}
    assert outcomes == {"anna": "skipped", "erik": "created", "sara": "created", "butikschef.umea": "created"}
    real_anna.refresh_from_db()
    assert not real_anna.check_password("glapp-demo")
    assert not Membership.objects.filter(organization=demo_org, user=real_anna).exists()
    manager = Membership.objects.get(organization=demo_org, user__username="butikschef.umea")
    assert manager.unit.code == "butik-umea"
    assert Membership.objects.get(organization=demo_org, user__username="sara").role == Role.CASE_HANDLER
    assert User.objects.get(username="erik").check_password("glapp-demo")


def run_demo(*args) -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", "--end", "2026-06-30", *args, stdout=out)
    return out.getvalue()


def test_command_loads_prints_logins_and_is_idempotent():
    output = run_demo("--responses", "1200", "--seed", "8", "--password", "hemligt-demo")
    assert "1,200 responses added" in output
    assert "http://127.0.0.1:8000/" in output and "hemligt-demo" in output
    assert "butikschef.umea" in output and "2026-03-01" in output  # the campaign month is shown
    org = Organization.objects.get(slug=co.ORG_SLUG)
    assert Response.objects.filter(organization=org).count() == 1200
    assert User.objects.get(username="anna").check_password("hemligt-demo")
    assert Membership.objects.get(organization=org, user__username="anna").role == Role.OWNER

    again = run_demo("--responses", "1200", "--seed", "8")
    assert "already exists with 1,200 responses" in again
    assert "0 responses added, 1,200 already there" in again
    with pytest.raises(CommandError, match="another seed"):
        run_demo("--responses", "1200", "--seed", "9")

    reset = run_demo("--responses", "800", "--seed", "9", "--reset")
    assert "800 responses added" in reset
    new_org = Organization.objects.get(slug=co.ORG_SLUG)
    assert new_org.id != org.id
    assert Response.objects.filter(organization=new_org).count() == 800


def test_command_writes_csv_without_touching_the_database(tmp_path):
    path = tmp_path / "bench.csv"
    output = run_demo("--responses", "900", "--csv", str(path))
    assert "Wrote 900 responses" in output
    assert not Organization.objects.filter(slug=co.ORG_SLUG).exists()
    with open(path, encoding="utf-8", newline="") as f:
        assert sum(1 for _ in csv.reader(f)) == 901


def test_command_refuses_a_future_end():
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    with pytest.raises(CommandError, match="future"):
        call_command("demo", "--no-serve", "--end", future, stdout=io.StringIO())


def test_command_days_are_the_installations(tmp_path, monkeypatch):
    # 23:30 UTC on Sunday 13 December is 00:30 on Monday the 14th in Stockholm: the data end on
    # the 13th by default, and the 14th is today, not the future.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 12, 13, 23, 30, tzinfo=dt.UTC))

    def demo(*args) -> str:
        out = io.StringIO()
        call_command("demo", "--responses", "20", "--csv", str(tmp_path / "demo.csv"), *args, stdout=out)
        return out.getvalue()

    assert " to 2026-12-13 " in demo()
    assert " to 2026-12-14 " in demo("--end", "2026-12-14")
    with pytest.raises(CommandError, match="future"):
        demo("--end", "2026-12-15")
