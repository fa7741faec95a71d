"""The palette's colours meet WCAG 2.1 AA: meaningful marks 3:1 on white, labels on them and coloured words 4.5:1."""

from __future__ import annotations

import pytest

from dashboard.components import theme
from dashboard.components.reporting import STATE_COLOURS
from etl.outputs import palette
from etl.outputs.palette import BLACK, WHITE, contrast_ratio, text_colour_on

MARKS = {
    **{f"status {name}": colour for name, colour in palette.STATUS_COLOURS.items()},
    **{f"series {index}": colour for index, colour in enumerate(palette.PALETTE)},
    "coverage line": palette.COVERAGE_COLOUR,
    "completion line": palette.COMPLETION_COLOUR,
    "delivered line": palette.DELIVERED_COLOUR,
    "target line": palette.TARGET_COLOUR,
}


def test_the_contrast_ratio_is_wcags():
    assert contrast_ratio(BLACK, WHITE) == pytest.approx(21.0)
    assert contrast_ratio("#777777", WHITE) == pytest.approx(4.48, abs=0.01)  # the well-known just-failing grey
    assert contrast_ratio("#0D6EFD", "#92BEFE") == pytest.approx(2.36, abs=0.01)  # the old navigation, issue 25


@pytest.mark.parametrize("name", list(MARKS))
def test_every_mark_that_carries_meaning_stands_3_to_1_on_white(name):
    assert contrast_ratio(MARKS[name], WHITE) >= 3.0


@pytest.mark.parametrize("status", palette.STATUS_ORDER)
def test_a_status_takes_black_labels_and_its_words_read_on_white(status):
    fill = palette.STATUS_COLOURS[status]
    assert text_colour_on(fill) == BLACK and contrast_ratio(fill, BLACK) >= 4.5
    assert contrast_ratio(palette.STATUS_TEXT_COLOURS[status], WHITE) >= 4.5
    assert palette.STATUS_TEXT_COLOURS.keys() == palette.STATUS_COLOURS.keys()


def test_labels_read_on_every_colour_of_the_rate_scale_and_the_reporting_matrix():
    for _, colour in palette.RATE_SCALE:
        assert contrast_ratio(colour, BLACK) >= 4.5, colour
    for state, colour in STATE_COLOURS.items():
        assert contrast_ratio(colour, BLACK) >= 4.5, state
    assert contrast_ratio(palette.VERMILLION_TEXT, WHITE) >= 4.5


def test_text_colour_on_picks_the_better_of_black_and_white():
    assert text_colour_on("#FFFFFF") == BLACK
    assert text_colour_on("#0A3A78") == WHITE
    assert text_colour_on("#F0E442") == BLACK  # Okabe-Ito's yellow: white on it was 1.3:1


def test_badges_and_chart_labels_use_the_palette():
    assert theme.STATUS_BADGES == palette.STATUS_COLOURS
    template = theme.pio.templates[theme.TEMPLATE_NAME]
    assert template.data.heatmap[0].textfont.color == BLACK
    assert template.data.treemap[0].insidetextfont.color == BLACK
    assert theme.GRAPH_CONFIG["modeBarButtons"] == [["toImage"]]  # one tab stop per chart toolbar, not seven
    assert template.layout.uniformtext.minsize == 9  # no label shrinks below 9 px to fit
