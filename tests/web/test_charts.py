"""The SVG line chart is pure: check its structure, its escaping and its geometry."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

from glapp.web.charts import Point, Series, line_chart, nice_ticks

NS = {"s": "http://www.w3.org/2000/svg"}
D = [dt.date(2026, m, 1) for m in range(1, 5)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # also proves the output is well-formed XML


def two_series() -> list[Series]:
    return [
        Series("Hemleverans", [Point(D[0], 30, 20, 40, 200), Point(D[1], 10, 0, 20, 180),
                               Point(D[2], None), Point(D[3], 5, -60, 70, 12, small=True)]),
        Series("Kom igång", [Point(D[0], 8, 2, 14, 300), Point(D[1], 28, 22, 34, 310)]),
    ]


def test_accessible_svg_with_title_desc_and_one_group_per_series():
    root = parse(line_chart(two_series(), title="NPS per månad", desc="Två kontaktpunkter", chart_id="c1"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find("s:title", NS).text == "NPS per månad" and root.find("s:title", NS).get("id") == "c1-title"
    assert root.find("s:desc", NS).text == "Två kontaktpunkter"
    groups = root.findall("s:g[@class='series']", NS)
    assert [g.get("aria-label") for g in groups] == ["Hemleverans", "Kom igång"]


def test_a_missing_bucket_breaks_the_line_and_bands_follow_the_runs():
    root = parse(line_chart(two_series(), title="t", desc="d"))
    first = root.findall("s:g[@class='series']", NS)[0]
    # Buckets 0–1 form one run (line + band); bucket 3 stands alone after the gap (a band stroke, no line).
    assert len(first.findall("s:polyline", NS)) == 1
    assert len(first.findall("s:polygon[@class='band']", NS)) == 1
    assert len(first.findall("s:line[@class='band']", NS)) == 1
    assert len(first.findall("s:circle", NS)) == 3  # no point for the empty bucket


def test_small_buckets_are_hollow_and_grey_with_their_n_in_the_tooltip():
    root = parse(line_chart(two_series(), title="t", desc="d"))
    small = root.findall(".//s:circle[@class='point small']", NS)
    assert len(small) == 1
    assert small[0].get("fill") == "#fff"
    assert small[0].find("s:title", NS).text == "Hemleverans, 2026-04-01: 5 (-60 – 70), n = 12"
    assert len(root.findall(".//s:circle[@class='point']", NS)) == 4


def test_band_encloses_the_line_and_higher_values_are_drawn_higher():
    svg = line_chart([Series("a", [Point(D[0], 10, 0, 20, 100), Point(D[1], 50, 40, 60, 100)])],
                     title="t", desc="d")
    root = parse(svg)
    ys = [float(c.get("cy")) for c in root.iter("{http://www.w3.org/2000/svg}circle")]
    assert ys[1] < ys[0]  # SVG y grows downwards
    band = root.find(".//s:polygon", NS).get("points").split()
    band_ys = [float(p.split(",")[1]) for p in band]
    assert min(band_ys) < min(ys) and max(band_ys) > max(ys)


def test_y_range_clamps_wide_intervals_to_what_the_metric_allows():
    svg = line_chart([Series("a", [Point(D[0], 90, 40, 130, 5), Point(D[1], -95, -140, -20, 5)])],
                     title="t", desc="d", y_range=(-100, 100))
    labels = [float(t) for t in re.findall(r'class="ytick"[^>]*>([^<]+)<', svg)]
    assert min(labels) >= -100 and max(labels) <= 100
    drawn = re.sub(r"<title>.*?</title>", "", svg)  # the tooltips keep the true interval
    assert "-140" not in drawn and "130" not in drawn and "(-140 – -20)" in svg


def test_every_user_text_is_escaped():
    evil = '<script>alert("x")</script>'
    svg = line_chart([Series(evil, [Point(D[0], 1, 0, 2, 40)])], title=evil, desc=f"{evil} & co",
                     chart_id='x" onload="alert(1)', x_label=lambda d: evil)
    assert "<script>" not in svg
    assert 'onload="alert(1)"' not in svg
    root = parse(svg)
    assert root.find("s:title", NS).text == evil
    assert root.find("s:desc", NS).text == f"{evil} & co"
    assert root.find("s:g[@class='series']", NS).get("aria-label") == evil


def test_empty_chart_still_renders():
    root = parse(line_chart([], title="Inget", desc="Inga svar"))
    assert root.find("s:title", NS).text == "Inget"
    assert root.findall(".//s:circle", NS) == []


def test_many_buckets_get_at_most_about_eight_x_labels():
    days = [dt.date(2025, 1, 6) + dt.timedelta(weeks=i) for i in range(52)]
    svg = line_chart([Series("a", [Point(d, i % 7, None, None, 50) for i, d in enumerate(days)])],
                     title="t", desc="d")
    labels = re.findall(r'class="xtick"[^>]*>([^<]+)<', svg)
    assert 6 <= len(labels) <= 9
    assert labels[-1] == days[-1].isoformat()  # the latest bucket is always labelled


def test_nice_ticks():
    assert nice_ticks(-100, 100) == [-100, -50, 0, 50, 100]
    assert nice_ticks(0, 1) == [0, 0.25, 0.5, 0.75, 1]
    assert nice_ticks(3.2, 5.9) == [3, 4, 5, 6]
    assert nice_ticks(7, 7) == [6, 6.5, 7, 7.5, 8]
