import pytest

from glapp.core.stats import Nps, nps, nps_category, nps_of_counts


def test_nps_from_counts_hand_computed():
    # 50 promoters, 30 passives, 20 detractors: (50 − 20) / 100 = 30 points.
    result = nps(50, 30, 20)
    assert result.n == 100
    assert result.value == pytest.approx(30.0)


def test_nps_uneven_n():
    # 3 promoters, 1 passive, 3 detractors of 7: (3 − 3) / 7 = 0; 1 / 3 promoters of 3 → 33.33.
    assert nps(3, 1, 3).value == pytest.approx(0.0)
    assert nps(1, 2, 0).value == pytest.approx(100 / 3)
    # 2 promoters, 0 passives, 5 detractors: (2 − 5) / 7 = −42.857…
    assert nps(2, 0, 5).value == pytest.approx(-42.857142857)


def test_nps_extremes():
    assert nps(10, 0, 0).value == 100.0
    assert nps(0, 0, 4).value == -100.0
    assert nps(0, 7, 0).value == 0.0


def test_empty_nps_has_no_value():
    empty = nps(0, 0, 0)
    assert empty.n == 0
    assert empty.value is None
    assert empty.promoter_share == 0.0
    assert not empty.is_small


def test_shares_sum_to_100():
    r = nps(5, 3, 2)
    assert (r.promoter_share, r.passive_share, r.detractor_share) == (50.0, 30.0, 20.0)


def test_small_sample_flag():
    assert nps(10, 10, 9).is_small
    assert not nps(10, 10, 10).is_small


def test_sum_of_groups_is_nps_of_pooled_counts():
    pooled = nps(3, 1, 0) + nps(0, 1, 4)
    assert pooled == Nps(3, 2, 4)
    assert pooled.value == pytest.approx(100 * (3 - 4) / 9)


def test_negative_counts_rejected():
    with pytest.raises(ValueError):
        nps(-1, 0, 0)


@pytest.mark.parametrize(("score", "category"), [(0, "detractor"), (6, "detractor"), (7, "passive"),
                                                 (8, "passive"), (9, "promoter"), (10, "promoter")])
def test_categories(score, category):
    assert nps_category(score) == category


def test_category_out_of_range():
    with pytest.raises(ValueError):
        nps_category(11)


def test_a_count_vector_splits_by_the_same_categories():
    # counts[v] = answers of value v, as the rollups keep them; the journey map's shares and the
    # NPS metric read them through nps_category, so a change of the cut points moves both.
    counts = [1, 0, 0, 0, 0, 0, 2, 3, 1, 4, 5]
    assert nps_of_counts(counts) == Nps(9, 4, 3)
    assert nps_of_counts(counts[:9]) == Nps(0, 4, 3)  # a shorter vector: no promoters
    with pytest.raises(ValueError):
        nps_of_counts([*counts, 1])  # an 11 is no NPS answer


def test_the_nps_metric_counts_the_categories_of_nps_category():
    from glapp.analytics.metrics import METRICS

    nps_metric = METRICS["nps"]
    assert nps_metric.top == {v for v in range(11) if nps_category(v) == "promoter"}
    assert nps_metric.bottom == {v for v in range(11) if nps_category(v) == "detractor"}
