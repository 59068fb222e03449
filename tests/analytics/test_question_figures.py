"""Figures per question, pooled figures over respondents, choice distributions: checked against
an independent computation (pandas for the recount, statsmodels for the cluster-robust variance
and the Wilson intervals)."""

import datetime as dt
import random

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import proportion_confint

from glapp.accounts.models import Role
from glapp.accounts.queries import Access
from glapp.analytics import metrics
from glapp.analytics.actions import rebuild_rollups
from glapp.analytics.queries import MetricQuery, choice_distribution, data_span, metric_table
from glapp.core.errors import ValidationFailed
from glapp.responses.actions import add_answers
from glapp.responses.models import Answer, Response
from glapp.responses.validation import CleanAnswer
from glapp.surveys import question_types as qt
from glapp.surveys.actions import QuestionSpec, create_survey
from glapp.surveys.models import Question
from tests.surveys.test_respondent_answers import stored_cells
from tests.web.helpers import add_responses

pytestmark = pytest.mark.django_db

MARCH = dict(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31), compare=False)
SERVICES = ("svc_a", "svc_b", "svc_c")


def it_survey(org, code="it", keys=SERVICES, touchpoint=None):
    return create_survey(org, name=f"IT service {code}", code=code, touchpoint=touchpoint, questions=[
        *[QuestionSpec(key, qt.CSAT, {"en": f"How satisfied are you with {key}?"}) for key in keys],
        QuestionSpec("nps", qt.NPS, {"en": "Recommend?"}),
        QuestionSpec("channels", qt.MULTI, {"en": "How did you contact us?"}, options=["web", "phone", "store"],
                     option_texts={"en": {"web": "Web", "phone": "Phone", "store": "Store"}}),
        QuestionSpec("reason", qt.SINGLE, {"en": "Main reason?"}, options=["price", "service", "other"]),
    ])


def respondents(org, k=80, agree=0.8, seed=3, code="it", keys=SERVICES, same=False, when=None):
    """K respondents answering every CSAT question, their answers agreeing (a shared level), in March."""
    rng = random.Random(seed)
    payloads = []
    for i in range(k):
        level = rng.gauss(3.4, 1.0)
        answers = {}
        for key in keys:
            value = level if same else agree * level + (1 - agree) * rng.gauss(3.4, 1.0) + rng.gauss(0, 0.4)
            answers[key] = max(1, min(5, round(level if same else value)))
        answers["nps"] = rng.randint(0, 10)
        answers["channels"] = rng.sample(["web", "phone", "store"], rng.randint(1, 2))
        answers["reason"] = rng.choice(["price", "service"])
        day = (when or dt.date(2026, 3, 1)) + dt.timedelta(days=i % 28)
        payloads.append({"survey": code, "answers": answers,
                         "submitted_at": dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC).isoformat()})
    add_responses(org, *payloads)


def frame(org, survey="it"):
    rows = Answer.objects.filter(response__organization=org, question_type=qt.CSAT,
                                 response__survey__code=survey).values_list("response_id", "question__key", "number")
    return pd.DataFrame.from_records(list(rows), columns=["respondent", "question", "value"])


@pytest.fixture
def access(org):
    it_survey(org)
    respondents(org)
    return Access(org, Role.ADMIN)


def test_each_question_has_its_own_figure(access):
    answers = frame(access.organization)
    for key in SERVICES:
        table = metric_table(access, MetricQuery("csat", question=f"it.{key}", **MARCH))
        counts = [0] * 11
        for value, n in answers[answers.question == key]["value"].value_counts().items():
            counts[int(value)] = int(n)
        assert table.total == metrics.evaluate("csat", counts)
        assert table.total.n == 80 and table.total.respondents is None  # one answer each: the plain interval
    a = metric_table(access, MetricQuery("csat", question="svc_a", **MARCH)).total  # the key alone, one survey has it
    b = metric_table(access, MetricQuery("csat", question="it.svc_b", **MARCH)).total
    assert a.value != b.value


def test_grouped_by_question_each_cell_is_its_question_and_the_total_pools_them(access):
    table = metric_table(access, MetricQuery("csat_mean", group_by=("question",), **MARCH))
    assert [c.key for c in table.cells] == [("it.svc_a",), ("it.svc_b",), ("it.svc_c",)]
    for cell in table.cells:
        alone = metric_table(access, MetricQuery("csat_mean", question=cell.key[0], **MARCH)).total
        assert cell.estimate == alone
        assert cell.vs_rest is None  # the same respondents: no "against the rest" test
    pooled = metric_table(access, MetricQuery("csat_mean", **MARCH)).total
    assert table.total == pooled
    assert pooled.n == 240 and pooled.respondents == 80


def _cluster_and_naive_variance(y: np.ndarray, groups: np.ndarray) -> tuple[float, float]:
    """statsmodels: the variance of a pooled mean (an intercept-only OLS), cluster-robust by
    respondent and as if every answer were its own respondent."""
    x = np.ones((len(y), 1))
    clustered = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": groups})
    naive = sm.OLS(y, x).fit()
    return float(clustered.bse[0] ** 2), float(naive.bse[0] ** 2)


def test_pooled_share_interval_is_wilson_on_the_cluster_robust_effective_sample(access):
    answers = frame(access.organization)
    top = (answers["value"] >= 4).astype(float).to_numpy()
    v_cluster, v_naive = _cluster_and_naive_variance(top, answers["respondent"].to_numpy())
    deff = max(v_cluster / v_naive, 1.0)
    assert deff > 1.5  # the respondents' answers agree: far fewer independent answers than 240
    got = metric_table(access, MetricQuery("csat", **MARCH)).total
    low, high = proportion_confint(top.sum() / deff, len(top) / deff, alpha=0.05, method="wilson")
    assert got.value == pytest.approx(100 * top.mean())
    assert (got.low, got.high) == (pytest.approx(100 * low), pytest.approx(100 * high))
    assert got.n == 240 and got.respondents == 80
    assert got.n_effective == pytest.approx(240 / deff)
    assert got.method == "clustered:wilson"


def test_pooled_mean_interval_uses_the_cluster_robust_standard_error(access):
    answers = frame(access.organization)
    values = answers["value"].to_numpy(dtype=float)
    v_cluster, v_naive = _cluster_and_naive_variance(values, answers["respondent"].to_numpy())
    deff = v_cluster / v_naive
    got = metric_table(access, MetricQuery("csat_mean", **MARCH)).total
    n = len(values)
    # t on the effective sample: its squared standard error is the cluster-robust variance up to
    # the factor (n − 1)/(n − deff) of re-estimating the variance from the effective counts.
    se = np.sqrt(v_cluster * (n - 1) / (n - deff))
    half = scipy_stats.t.ppf(0.975, n / deff - 1) * se
    assert got.value == pytest.approx(values.mean())
    assert (got.low, got.high) == (pytest.approx(values.mean() - half), pytest.approx(values.mean() + half))


def test_answers_that_always_agree_are_no_more_certain_than_their_respondents(org):
    """Three identical answers a respondent: the pooled interval must be as wide as the
    respondents' own (one answer each), not √3 times narrower."""
    it_survey(org)
    respondents(org, k=60, same=True)
    access = Access(org, Role.ADMIN)
    pooled = metric_table(access, MetricQuery("csat", **MARCH)).total
    answers = frame(org)
    per_respondent = answers.groupby("respondent")["value"].first()
    counts = [0] * 11
    for value, n in per_respondent.value_counts().items():
        counts[int(value)] = int(n)
    theirs = metrics.evaluate("csat", counts)
    assert pooled.n == 180 and pooled.value == pytest.approx(theirs.value)
    assert pooled.high - pooled.low >= 0.99 * (theirs.high - theirs.low)
    naive = metrics.evaluate("csat", [3 * c for c in counts])
    assert pooled.high - pooled.low > 1.5 * (naive.high - naive.low)


def test_a_change_between_pooled_periods_is_tested_over_respondents(org):
    it_survey(org)
    respondents(org, k=60, same=True, seed=1)
    april = []
    for i, r in enumerate(Response.objects.filter(organization=org)):
        values = {a.question.key: a.number for a in r.answers.select_related("question") if a.question_type == "csat"}
        april.append({"survey": "it", "answers": {k: min(5, v + 1) for k, v in values.items()},
                      "submitted_at": dt.datetime(2026, 4, 1 + i % 28, 12, tzinfo=dt.UTC).isoformat()})
    add_responses(org, *april)
    access = Access(org, Role.ADMIN)
    table = metric_table(access, MetricQuery("csat_mean", date_from=dt.date(2026, 4, 1), date_to=dt.date(2026, 4, 30),
                                             compare_from=dt.date(2026, 3, 1), compare_to=dt.date(2026, 3, 31)))
    assert table.total_change.method.startswith("clustered:")
    # Against the same change counted over respondents (one answer each): the same test.
    march, april_counts = [0] * 11, [0] * 11
    for counts, month in ((march, 3), (april_counts, 4)):
        for r in Response.objects.filter(organization=org, submitted_at__month=month):
            counts[r.answers.filter(question_type="csat").first().number] += 1
    theirs = metrics.compare("csat_mean", april_counts, march)
    assert table.total_change.delta == pytest.approx(theirs.delta)
    assert table.total_change.se == pytest.approx(theirs.se, rel=0.03)
    naive = metrics.compare("csat_mean", [3 * c for c in april_counts], [3 * c for c in march])
    assert naive.se < 0.6 * table.total_change.se  # what counting answers as respondents claimed


def test_naming_a_question_clearly(org):
    it_survey(org)
    it_survey(org, code="it2")
    respondents(org, k=5)
    access = Access(org, Role.ADMIN)
    for question, metric, code in (("svc_a", "csat", "ambiguous"), ("it.nope", "csat", "unknown"),
                                   ("it.svc_a", "nps", "wrong_type"), ("it.svc_a", "response_rate", "not_by_question")):
        with pytest.raises(ValidationFailed) as exc:
            metric_table(access, MetricQuery(metric, question=question, **MARCH))
        assert (exc.value.errors[0].field, exc.value.errors[0].code) == ("question", code)
    assert metric_table(access, MetricQuery("csat", question="svc_a", survey=("it2",), **MARCH)).total.n == 0


def test_choice_distributions_are_shares_of_respondents_with_wilson_intervals(access):
    org = access.organization
    rows = Answer.objects.filter(response__organization=org, question__key__in=["channels", "reason"]) \
        .values_list("question__key", "text", "choices")
    chose = {"channels": {}, "reason": {}}
    answered = {"channels": 0, "reason": 0}
    for key, text, choices in rows:
        answered[key] += 1
        for option in (choices or [text]):
            chose[key][option] = chose[key].get(option, 0) + 1
    multi = choice_distribution(access, MetricQuery(question="it.channels", **MARCH))
    assert multi.kind == qt.MULTI and multi.respondents == answered["channels"] == 80
    assert [o.code for o in multi.options] == ["web", "phone", "store"]
    assert [o.name for o in multi.options] == ["Web", "Phone", "Store"]
    assert sum(o.count for o in multi.options) > multi.respondents  # several options a respondent
    for option in multi.options:
        low, high = proportion_confint(chose["channels"][option.code], 80, method="wilson")
        assert option.count == chose["channels"][option.code]
        assert (option.estimate.low, option.estimate.high) == (pytest.approx(100 * low), pytest.approx(100 * high))
    single = choice_distribution(access, MetricQuery(question="reason", survey=("it",), **MARCH))
    assert sum(o.estimate.value for o in single.options) == pytest.approx(100)
    other = next(o for o in single.options if o.code == "other")
    assert other.count == 0 and other.estimate.value == 0 and other.estimate.high > 0  # offered, chosen by nobody
    with pytest.raises(ValidationFailed) as exc:
        choice_distribution(access, MetricQuery(question="it.svc_a", **MARCH))
    assert exc.value.errors[0].code == "wrong_type"


def test_answers_added_one_by_one_keep_the_pooled_sums_equal_to_a_recount(org):
    it_survey(org)
    [rid] = add_responses(org, {"survey": "it", "answers": {"svc_a": 2}})
    questions = {q.key: q.id for q in Question.objects.filter(survey__code="it")}
    add_answers(org.id, rid, [CleanAnswer(questions["svc_b"], qt.CSAT, 5, "", None)])
    add_answers(org.id, rid, [CleanAnswer(questions["svc_c"], qt.CSAT, 4, "", None),
                              CleanAnswer(questions["channels"], qt.MULTI, None, "", ["web", "store"])])
    kept = stored_cells(org)
    rebuild_rollups(org.id)
    assert stored_cells(org) == kept
    total = metric_table(Access(org, Role.ADMIN), MetricQuery("csat_mean", date_from=dt.date(2020, 1, 1))).total
    assert (total.n, total.respondents, total.value) == (3, 1, pytest.approx(11 / 3))


def test_data_span_is_what_the_access_may_see(org):
    it_survey(org)
    respondents(org, k=10)
    assert data_span(Access(org, Role.ADMIN)) == (dt.date(2026, 3, 1), dt.date(2026, 3, 10))
