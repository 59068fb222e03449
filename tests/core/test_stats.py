

def test_the_median_interval_is_between_order_statistics_and_covers():
    import math
    import random

    from glapp.core.stats import median_estimate

    assert median_estimate([]).value is None
    few = median_estimate([1, 2, 3, 4, 5])
    assert few.value == 3 and few.low is None  # five values cannot give 95 %
    ten = median_estimate(range(1, 11))
    assert (ten.value, ten.low, ten.high) == (5.5, 2, 9)  # the table's ranks 2 and 9 for n = 10
    rng = random.Random(7)
    covered = 0
    for _ in range(500):
        e = median_estimate([rng.expovariate(1.0) for _ in range(25)])
        covered += e.low <= math.log(2) <= e.high
    assert covered / 500 >= 0.93  # skewed times: still at least its confidence, near enough
