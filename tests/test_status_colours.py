"""How a status is drawn: the text on every status colour reads at least 4.5:1, and the legend names every status."""

from __future__ import annotations

import pytest

from dashboard.components.status_colours import status_legend
from etl.outputs.palette import STATUS_COLOURS, STATUS_ORDER, contrast_ratio, text_colour_on


@pytest.mark.parametrize("status", STATUS_ORDER)
def test_the_word_on_a_status_colour_reads_at_aa_contrast(status):
    background = STATUS_COLOURS[status]
    assert contrast_ratio(text_colour_on(background), background) >= 4.5


def test_contrast_ratio_matches_wcag_examples():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    # Whichever reads better: white on black, black on white.
    assert (text_colour_on("#000000"), text_colour_on("#FFFFFF")) == ("#FFFFFF", "#000000")


def test_the_legend_shows_each_status_in_its_own_colour():
    legend = status_legend()
    swatches = [child for child in legend.children if getattr(child, "className", "") == "status-swatch"]
    assert [s.children for s in swatches] == STATUS_ORDER
    assert [s.style["backgroundColor"] for s in swatches] == [STATUS_COLOURS[s] for s in STATUS_ORDER]
