"""The catalogue parsed from the Work Plan text matches the document, measure for measure."""

import re

import pytest

from etl.plan.catalogue import CatalogueError, load_catalogue, normalise_measure_id, parse_catalogue

# Counted by reading the Work Plan (data/raw/workplan/), not by running the parser.
MEASURES_PER_SECTION = {
    "1.1": 9, "1.2": 4, "1.3": 12, "1.4": 2,
    "2.1": 16, "2.2": 5, "2.3": 3, "2.4": 5, "2.5": 2, "2.6": 11, "2.7": 12, "2.8": 4, "2.9": 6, "2.10": 4,
    "3.1": 5, "3.2": 3,
    "4.0": 2, "4.3": 7, "4.4": 9, "4.5": 5, "4.6": 4, "4.7": 9, "4.8": 5, "4.9": 7, "4.10": 5, "4.11": 9,
    "4.12": 4, "4.13": 1,
    "5.0": 6,
    "6.0": 7,
}  # fmt: skip
MEASURES_PER_PILLAR = {1: 27, 2: 68, 3: 8, 4: 67, 5: 6, 6: 7}
SUB_ITEMS = {"3.1.2": list("abcdefghi"), "3.1.3": list("abcd")}


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_every_section_has_the_documented_number_of_measures(catalogue):
    counted = {}
    for measure in catalogue.measures:
        counted[measure.section_id] = counted.get(measure.section_id, 0) + 1
    assert counted == MEASURES_PER_SECTION


def test_every_pillar_has_the_documented_number_of_measures(catalogue):
    assert {p.pillar: sum(m.pillar == p.pillar for m in catalogue.measures) for p in catalogue.pillars} == (
        MEASURES_PER_PILLAR
    )
    assert len(catalogue.measures) == 183


def test_measure_ids_are_unique(catalogue):
    ids = [m.measure_id for m in catalogue.measures]
    assert len(ids) == len(set(ids))


def test_pillar_titles(catalogue):
    assert [(p.roman, p.title) for p in catalogue.pillars] == [
        ("I", "POLITICAL AND SECURITY COOPERATION"),
        ("II", "ECONOMIC AND FINANCIAL COOPERATION"),
        ("III", "ENVIRONMENT, CLIMATE CHANGE AND SUSTAINABLE DEVELOPMENT COOPERATION"),
        ("IV", "SOCIO-CULTURAL AND DEVELOPMENT COOPERATION"),
        ("V", "CONNECTIVITY COOPERATION"),
        ("VI", "INSTITUTIONAL SUPPORT AND FOLLOW-UP MECHANISM"),
    ]


def test_section_titles_and_parents(catalogue):
    sections = {s.section_id: s for s in catalogue.sections}
    assert sections["2.7"].title == "Enhancing Energy Cooperation"
    assert sections["4.3"].title == "Forging Closer Cooperation In Poverty Alleviation"
    assert sections["4.0"].is_direct_group and sections["5.0"].is_direct_group
    assert catalogue.measure("2.7.10").parent_id == "2.7"
    assert catalogue.measure("4.1").parent_id == "4"
    assert catalogue.measure("5.3").parent_id == "5"


def test_measure_text_end_to_end(catalogue):
    assert catalogue.measure("2.7.10").text == (
        "Promote dialogue with Middle East oil and gas producing countries to enhance mutual understanding "
        "and cooperation between producing and consuming countries;"
    )
    assert catalogue.measure("4.13.1").text.startswith("Promote moderation as a common value")
    assert catalogue.measure("4.13.1").text.endswith("religious moderation and tolerance.")
    assert catalogue.measure("6.6").text == (
        "The ASEAN Coordinator for APT cooperation to prepare concise progress reports on the implementation "
        "of the Work Plan for submission to the annual APT Summit; and"
    )
    # 2.1.15 carries runs of spaces in the source; they fold to one.
    assert "legislations pertaining or related to trade" in catalogue.measure("2.1.15").text


def test_ids_with_and_without_trailing_dot(catalogue):
    # "1.1.1 Utilise" has no dot after the id, "2.1.1. Ensure" has one; both parse the same way.
    assert catalogue.measure("1.1.1").text.startswith("Utilise the APT process")
    assert catalogue.measure("2.1.1").text.startswith("Ensure that the ASEAN+1 FTAs")


def test_no_measure_swallowed_the_next_heading(catalogue):
    headings = [p.title for p in catalogue.pillars]  # upper case in the plan, never inside a sentence
    headings += [f"{s.section_id} {s.title}" for s in catalogue.sections if not s.is_direct_group]
    headings += [f"{s.section_id}. {s.title}" for s in catalogue.sections if not s.is_direct_group]
    for item in catalogue.measures + catalogue.sub_items:
        assert not re.search(r"\b\d+\.\d+(\.\d+)?\.? [A-Z]", item.text), item
        for heading in headings:
            assert heading not in item.text, (item, heading)
    assert catalogue.measure("1.4.2").text.endswith("territorial integrity of APT countries.")
    assert catalogue.measure("3.2.3").text.endswith("particularly on vulnerable groups.")


def test_sub_items_belong_to_their_measures(catalogue):
    assert {m.measure_id: [s.letter for s in m.sub_items] for m in catalogue.measures if m.sub_items} == SUB_ITEMS
    assert catalogue.measure("3.1.2").sub_items[8].text == "air quality management;"
    assert catalogue.measure("3.1.2").sub_items[0].sub_item_id == "3.1.2(a)"
    assert catalogue.measure("3.1.3").text.startswith("Enhance cooperation and coordination in capacity building")


def test_items_run_together_on_one_line_or_split_by_blank_lines():
    text = "\n".join(
        [
            "A Plan",
            "I.",
            "FIRST PILLAR",
            "1.1 A Section",
            "1.1.1 Do one thing; 1.1.2. Do another thing;",
            "",
            "continued after a stray blank line; and",
            "1.1.3 Last.",
            "II.",
            "SECOND PILLAR",
            "2.1. Direct measure one;",
            "2.2. Direct measure two.",
        ]
    )
    parsed = parse_catalogue(text, "test-plan")
    assert [(m.measure_id, m.section_id, m.text) for m in parsed.measures] == [
        ("1.1.1", "1.1", "Do one thing;"),
        ("1.1.2", "1.1", "Do another thing; continued after a stray blank line; and"),
        ("1.1.3", "1.1", "Last."),
        ("2.1", "2.0", "Direct measure one;"),
        ("2.2", "2.0", "Direct measure two."),
    ]


def test_a_text_with_no_measures_is_refused():
    with pytest.raises(CatalogueError, match="no numbered measures"):
        parse_catalogue("just prose\nand more prose")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2.1.6.", "2.1.6"),
        ("Measure 2.1.6", "2.1.6"),
        (" 2.1.6 ", "2.1.6"),
        ("3.1.2 (a)", "3.1.2(a)"),
        ("3.1.2a", "3.1.2(a)"),
        ("3.1.2.A", "3.1.2(a)"),
        ("3.1.2(a)", "3.1.2(a)"),
        ("5.3.", "5.3"),
        ("2 . 7 . 10", "2.7.10"),
        ("not an id", "not an id"),
    ],
)
def test_normalise_measure_id(raw, expected):
    assert normalise_measure_id(raw) == expected
