"""Server-drawn SVG charts (app/admin/charts.py): an image with a name and a description,
bars and points where the numbers say, gaps for missing data, words escaped, colours with
3:1 contrast and series told apart by more than colour."""

import xml.etree.ElementTree as ET

import pytest

from app.admin import charts
from app.admin.charts import Series, bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def percent(value: float) -> str:
    return f"{round(value * 100)} %"


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def test_a_chart_is_a_named_and_described_image():
    svg = parse(
        bar_chart(
            chart_id="c1",
            title="Delivered",
            description="Per language, March",
            labels=["sv"],
            values=[0.5],
            value_format=percent,
        )  # fmt: skip
    )
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c1-title c1-desc"
    assert svg.find(f"{SVG}title").text == "Delivered"
    assert svg.find(f"{SVG}title").get("id") == "c1-title"
    assert svg.find(f"{SVG}desc").text == "Per language, March"
    assert "style" not in str(ET.tostring(svg))  # the admin pages' CSP forbids inline style
    assert svg.find(f"{SVG}script") is None


def test_bars_are_as_long_as_their_values_and_say_them():
    svg = parse(
        bar_chart(
            chart_id="c",
            title="t",
            description="d",
            labels=["sv", "ar", "so"],
            values=[1.0, 0.25, None],
            value_format=percent,
            maximum=1.0,
        )  # fmt: skip
    )
    bars = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert len(bars) == 2  # no bar where there is no data
    assert float(bars[0].get("width")) == pytest.approx(4 * float(bars[1].get("width")), 0.01)
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"100 %", "25 %", "–", "sv", "ar", "so"} <= set(texts)


def test_counts_get_whole_number_steps():
    svg = parse(
        bar_chart(
            chart_id="c",
            title="t",
            description="d",
            labels=["jan", "feb"],
            values=[1, 6],
            value_format=lambda n: f"{n:g}",
        )  # fmt: skip
    )
    ticks = [t.text for t in svg.iter(f"{SVG}text") if t.get("text-anchor") == "middle"]
    assert ticks == ["0", "2", "4", "6", "8"]


def test_a_chart_of_nothing_draws_no_bar_and_does_not_fail():
    svg = parse(
        bar_chart(
            chart_id="c",
            title="t",
            description="d",
            labels=["jan", "feb"],
            values=[0, 0],
            value_format=str,
        )  # fmt: skip
    )
    assert all(float(r.get("width")) == 0 for r in svg.iter(f"{SVG}rect") if r.get("class"))


def test_words_are_escaped():
    markup = str(
        bar_chart(
            chart_id="c",
            title="<b>",
            description="a & b",
            labels=["<script>"],
            values=[1],
            value_format=str,
        )  # fmt: skip
    )
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert '<title id="c-title">&lt;b&gt;</title>' in markup


def test_a_line_breaks_where_a_month_has_no_data():
    svg = parse(
        line_chart(
            chart_id="l",
            title="t",
            description="d",
            labels=["jan", "feb", "mar", "apr"],
            series=[Series("Delivered", [0.5, None, 0.75, 1.0])],
            value_format=percent,
        )  # fmt: skip
    )
    lines = list(svg.iter(f"{SVG}polyline"))
    assert len(lines) == 1  # january stands alone: a marker, no line to march
    points = [tuple(map(float, p.split(","))) for p in lines[0].get("points").split()]
    assert len(points) == 2
    (x_mar, y_mar), (x_apr, y_apr) = points
    assert x_apr > x_mar and y_apr < y_mar  # higher value, higher on the page
    markers = [c for c in svg.iter(f"{SVG}circle")]
    assert len(markers) == 1 + 3  # the legend's and one per month with data


def test_series_differ_by_marker_and_dash_not_only_colour():
    four = [Series(f"s{i}", [0.1 * i, 0.2]) for i in range(4)]
    svg = parse(
        line_chart(
            chart_id="l",
            title="t",
            description="d",
            labels=["jan", "feb"],
            series=four,
            value_format=percent,
        )  # fmt: skip
    )
    dashes = {p.get("stroke-dasharray") for p in svg.iter(f"{SVG}polyline")}
    assert len(dashes) == 4
    shapes = {charts.STYLES[i][1] for i in range(4)}
    assert len(shapes) == 4
    assert {"s0", "s1", "s2", "s3"} <= {t.text for t in svg.iter(f"{SVG}text")}  # the legend
    with pytest.raises(ValueError):
        line_chart(chart_id="l", title="t", description="d", labels=["jan"],
                   series=[Series("x", [1])] * 6, value_format=str)  # fmt: skip


def test_every_colour_has_at_least_3_to_1_contrast_with_the_background():
    for colour, _shape, _dash in charts.STYLES:
        assert charts.contrast(colour) >= 3, colour
    assert charts.contrast(charts.INK) >= 4.5  # the words
    assert charts.contrast("#ffffff") == 1
    assert charts.contrast("#000000") == pytest.approx(21)
