"""The journey editor: stages and touchpoints in order, codes derived from names, unique, stable
across renames and editable until stored data uses them; owners and admins edit, read-only
roles see no edit controls."""

from html.parser import HTMLParser

import pytest

from glapp.accounts.models import Role
from glapp.core.errors import ValidationFailed
from glapp.journeys import actions
from glapp.journeys.models import Journey, Stage, Touchpoint
from glapp.responses.models import Response
from tests.factories import make_survey, make_user
from tests.web.helpers import add_responses, login

pytestmark = pytest.mark.django_db


def test_codes_come_from_names_and_stay_unique():
    assert actions.code_for("First Payment") == "first-payment"
    assert actions.code_for("First Payment", {"first-payment"}) == "first-payment-2"
    assert actions.code_for("Första köpet") == "forsta-kopet"
    assert actions.code_for("???") == "x"


def test_touchpoint_codes_are_unique_in_the_organization_and_stage_codes_in_the_journey(org):
    journey = actions.create_journey(org, "Onboarding", [("Buy", ["Web checkout"]), ("Buy", ["Phone support"])])
    assert [s.code for s in journey.stages.order_by("position")] == ["buy", "buy-2"]
    # "web-checkout" and "phone-support" exist in the factory's main journey.
    assert set(Touchpoint.objects.filter(stage__journey=journey).values_list("code", flat=True)) == {
        "web-checkout-2", "phone-support-2"}


def test_rename_keeps_the_code_and_a_code_changes_only_before_use(org):
    tp = Touchpoint.objects.get(organization=org, code="web-checkout")
    actions.rename(tp, "Online checkout")
    tp.refresh_from_db()
    assert (tp.name, tp.code) == ("Online checkout", "web-checkout")
    actions.change_code(tp, "online-checkout")
    assert Touchpoint.objects.get(pk=tp.pk).code == "online-checkout"
    with pytest.raises(ValidationFailed) as taken:
        actions.change_code(tp, "phone-support")
    assert taken.value.errors[0].code == "taken"
    with pytest.raises(ValidationFailed):
        actions.change_code(tp, "Not A Slug")
    used = Touchpoint.objects.get(organization=org, code="phone-support")  # the survey's touchpoint
    with pytest.raises(ValidationFailed) as in_use:
        actions.change_code(used, "support")
    assert in_use.value.errors[0].code == "in_use"
    with pytest.raises(ValidationFailed):
        actions.delete(used)
    with pytest.raises(ValidationFailed):
        actions.change_code(used.stage, "kontakt")  # a stage with a used touchpoint is used too


def test_a_touchpoint_with_responses_is_in_use(org):
    tp = Touchpoint.objects.get(organization=org, code="web-checkout")
    make_survey(org, "web")  # a survey of no touchpoint: only the response names it
    add_responses(org, {"nps": 9, "survey": "web", "touchpoint": "web-checkout"})
    assert Response.objects.filter(touchpoint=tp).exists()
    with pytest.raises(ValidationFailed):
        actions.change_code(tp, "checkout")


def test_moves_keep_positions_dense_and_in_order(org):
    journey = actions.create_journey(org, "Life", [("A", []), ("B", []), ("C", [])])
    c = Stage.objects.get(journey=journey, code="c")
    actions.move(c, -1)
    actions.move(c, -1)
    actions.move(c, -1)  # already first: stays
    assert [(s.code, s.position) for s in journey.stages.order_by("position")] == [("c", 0), ("a", 1), ("b", 2)]
    one = actions.add_touchpoint(c, "One")
    two = actions.add_touchpoint(c, "Two")
    actions.move_touchpoint(one, Stage.objects.get(journey=journey, code="a"))
    two.refresh_from_db()
    assert two.position == 0
    actions.delete(Stage.objects.get(journey=journey, code="b"))
    assert [s.position for s in journey.stages.order_by("position")] == [0, 1]


def _post(client, journey, **data):
    return client.post(f"/settings/journeys/{journey.pk}/", data)


def test_an_owner_builds_a_journey_in_the_editor(client, org):
    login(client, make_user(org, "owner", Role.OWNER))
    page = client.post("/settings/journeys/", {"name": "Customer life"})
    journey = Journey.objects.get(organization=org, name="Customer life")
    assert page.status_code == 302 and page.url == f"/settings/journeys/{journey.pk}/"
    added = _post(client, journey, kind="journey", id=journey.pk, op="add_stage", name="Become a customer")
    assert added.status_code == 302
    _post(client, journey, kind="journey", id=journey.pk, op="add_stage", name="Pay")
    become, pay = journey.stages.order_by("position")
    _post(client, journey, kind="stage", id=become.pk, op="add_touchpoint", name="Sign-up")
    _post(client, journey, kind="stage", id=pay.pk, op="add_touchpoint", name="First Payment")
    _post(client, journey, kind="stage", id=pay.pk, op="up")
    tps = Touchpoint.objects.filter(stage__journey=journey)
    assert sorted(tps.values_list("code", flat=True)) == ["first-payment", "sign-up"]
    assert [s.code for s in journey.stages.order_by("position")] == ["pay", "become-a-customer"]
    html = client.get(f"/settings/journeys/{journey.pk}/").content.decode()
    assert html.index('data-touchpoint="first-payment"') < html.index('data-touchpoint="sign-up"')


class _Forms(HTMLParser):
    """The editor's row forms: each one's (kind, id, op), the labels of its controls and the
    options of its select."""

    def __init__(self):
        super().__init__()
        self.forms, self.labels, self._label = [], {}, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("class") == "inline":
            self.forms.append({"hidden": {}, "controls": [], "options": []})
        elif tag == "input" and a.get("type") == "hidden" and self.forms:
            self.forms[-1]["hidden"][a["name"]] = a["value"]
        elif tag in ("input", "select") and self.forms:
            self.forms[-1]["controls"].append(a["id"])
        elif tag == "option" and self.forms:
            self.forms[-1]["options"].append(int(a["value"]))
        elif tag == "label":
            self._label = a.get("for")
            self.labels[self._label] = ""
        elif tag == "button" and self.forms and "aria-label" in a:
            self.forms[-1]["button"] = a["aria-label"]

    def handle_data(self, data):
        if self._label:
            self.labels[self._label] += data

    def handle_endtag(self, tag):
        if tag == "label":
            self._label = None


def test_each_row_offers_the_edits_that_fit_it_each_form_addressed_and_labelled_to_its_row(client, org):
    login(client, make_user(org, "admin", Role.ADMIN))
    journey = Journey.objects.get(organization=org, code="main")
    buy, contact = journey.stages.order_by("position")  # contact's phone support has a survey: in use
    store = actions.add_touchpoint(buy, "Store visit")
    web, phone = (Touchpoint.objects.get(organization=org, code=c) for c in ("web-checkout", "phone-support"))
    page = _Forms()
    page.feed(client.get(f"/settings/journeys/{journey.pk}/").content.decode())
    rows = {"stage": {s.pk: s for s in (buy, contact)}, "touchpoint": {t.pk: t for t in (web, store, phone)}}
    offered = {}
    for form in page.forms:
        kind, pk, op = form["hidden"]["kind"], int(form["hidden"]["id"]), form["hidden"]["op"]
        offered.setdefault((kind, pk), set()).add(op)
        if kind == "journey" or op == "add_touchpoint":
            continue
        row = rows[kind][pk]
        for control in form["controls"]:  # each control is labelled with the name of its own row
            assert control.endswith(f"-{pk}") and row.name in page.labels[control], (control, page.labels)
        if op in ("up", "down", "delete"):
            assert row.name in form["button"]
        if op == "to_stage":
            assert form["options"] == [s for s in (buy.pk, contact.pk) if s != row.stage_id]
    assert {key: ops for key, ops in offered.items() if key[0] != "journey"} == {
        ("stage", buy.pk): {"rename", "code", "down", "delete", "add_touchpoint"},
        ("stage", contact.pk): {"rename", "up", "add_touchpoint"},
        ("touchpoint", web.pk): {"rename", "code", "down", "to_stage", "delete"},
        ("touchpoint", store.pk): {"rename", "code", "up", "to_stage", "delete"},
        ("touchpoint", phone.pk): {"rename", "to_stage"},
    }


def test_the_editor_answers_htmx_with_the_editor_and_says_what_went_wrong(client, org):
    login(client, make_user(org, "admin", Role.ADMIN))
    journey = Journey.objects.get(organization=org, code="main")
    used = Touchpoint.objects.get(organization=org, code="phone-support")
    page = client.post(f"/settings/journeys/{journey.pk}/", {"kind": "touchpoint", "id": used.pk, "op": "code",
                                                            "code": "support"}, headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert 'data-testid="editor-notice"' in page.content.decode()
    assert Touchpoint.objects.get(pk=used.pk).code == "phone-support"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST, Role.CASE_HANDLER])
def test_read_only_roles_see_the_journey_without_edit_controls_and_cannot_post(client, org, role):
    login(client, make_user(org, "reader", role))
    journey = Journey.objects.get(organization=org, code="main")
    page = client.get(f"/settings/journeys/{journey.pk}/").content.decode()
    assert "Web checkout" in page and 'name="op"' not in page and "<form method=\"post\" class=\"inline\"" not in page
    assert _post(client, journey, kind="journey", id=journey.pk, op="add_stage", name="X").status_code == 403
    assert client.post("/settings/journeys/", {"name": "X"}).status_code == 403


def test_a_unit_limited_admin_cannot_edit_the_organization_s_journey(client, org):
    login(client, make_user(org, "regional", Role.ADMIN, unit_code="acme-north"))
    journey = Journey.objects.get(organization=org, code="main")
    assert _post(client, journey, kind="journey", id=journey.pk, op="add_stage", name="X").status_code == 403


def test_another_organization_s_rows_are_not_found(client, org, other_org):
    login(client, make_user(org, "owner", Role.OWNER))
    theirs = Journey.objects.get(organization=other_org, code="main")
    mine = Journey.objects.get(organization=org, code="main")
    assert client.get(f"/settings/journeys/{theirs.pk}/").status_code == 404
    their_stage = Stage.objects.filter(organization=other_org).first()
    assert _post(client, mine, kind="stage", id=their_stage.pk, op="rename", name="Hacked").status_code == 404
    assert Stage.objects.get(pk=their_stage.pk).name != "Hacked"


@pytest.mark.parametrize(("kind", "op", "extra"), [("journey", "up", {}), ("touchpoint", "add_stage", {}),
                                                   ("stage", "nonsense", {}), ("touchpoint", "to_stage",
                                                                                {"stage": "abc"})])
def test_an_operation_that_does_not_fit_the_row_is_not_found_never_a_server_error(client, org, kind, op, extra):
    login(client, make_user(org, "owner", Role.OWNER))
    journey = Journey.objects.get(organization=org, code="main")
    row = {"journey": journey, "stage": journey.stages.first(),
           "touchpoint": Touchpoint.objects.filter(stage__journey=journey).first()}[kind]
    assert _post(client, journey, kind=kind, id=row.pk, op=op, **extra).status_code == 404
