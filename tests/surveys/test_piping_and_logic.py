import datetime as dt

import pytest

from glapp.surveys import logic, piping

NPS_SV = "Hur troligt är det att du skulle rekommendera Exempelbolaget[ efter ditt samtal med {agent} den {date}]?"


def test_piping_fills_known_values_in_swedish():
    text = piping.render(NPS_SV, {"agent": "Anna", "date": "2026-05-03"}, "sv")
    assert text == "Hur troligt är det att du skulle rekommendera Exempelbolaget efter ditt samtal med Anna den 3 maj?"


def test_piping_drops_an_optional_part_whose_value_is_missing():
    assert piping.render(NPS_SV, {"agent": "Anna"}, "sv") == \
        "Hur troligt är det att du skulle rekommendera Exempelbolaget?"


@pytest.mark.parametrize(("text", "context", "expected"), [
    ("Hej {first_name}!", {}, "Hej!"),
    ("Hej {first_name}!", {"first_name": "Eva"}, "Hej Eva!"),
    ("How was {store} on {date}?", {"store": "Norr", "date": dt.date(2026, 5, 3)}, "How was Norr on 3 May?"),
    ("Visit {date}", {"date": "2026-05-03T10:00:00+00:00"}, "Visit 3 May"),
    ("No placeholders", {"x": 1}, "No placeholders"),
    ("[Hi {first_name}, ]how are you?", {}, "how are you?"),
])
def test_piping_cases(text, context, expected):
    assert piping.render(text, context, "en") == expected


def test_piped_values_are_plain_text_not_patterns():
    # A value that looks like a placeholder or brackets is inserted as is, never re-expanded.
    assert piping.render("Hej {first_name}", {"first_name": "{agent}[x]", "agent": "A"}, "sv") == "Hej {agent}[x]"


def test_placeholders_are_listed_once_in_order():
    assert piping.placeholders("{a} {b} [{a} {c}]") == ["a", "b", "c"]


QUESTIONS = [
    {"key": "nps", "type": "nps"},
    {"key": "why_detractor", "type": "text", "show_if": {"question": "nps", "max": 6}},
    {"key": "why_promoter", "type": "text", "show_if": {"question": "nps", "min": 9}},
    {"key": "reason", "type": "multi_choice", "show_if": {}},
    {"key": "price_detail", "type": "text", "show_if": {"question": "reason", "in": ["price"]}},
]


def keys(questions):
    return [q["key"] for q in questions]


@pytest.mark.parametrize(("answers", "visible"), [
    ({}, ["nps", "reason"]),
    ({"nps": 3}, ["nps", "why_detractor", "reason"]),
    ({"nps": 7}, ["nps", "reason"]),
    ({"nps": 10}, ["nps", "why_promoter", "reason"]),
    ({"nps": 0, "reason": ["price", "staff"]}, ["nps", "why_detractor", "reason", "price_detail"]),
    ({"nps": 9, "reason": ["staff"]}, ["nps", "why_promoter", "reason"]),
])
def test_skip_logic_shows_follow_ups_only_where_they_apply(answers, visible):
    assert keys(logic.visible_questions(QUESTIONS, answers)) == visible


def test_next_question_walks_the_respondents_path():
    assert logic.next_question(QUESTIONS, {})["key"] == "nps"
    assert logic.next_question(QUESTIONS, {"nps": 2})["key"] == "why_detractor"
    assert logic.next_question(QUESTIONS, {"nps": 2}, skipped=["why_detractor"])["key"] == "reason"
    assert logic.next_question(QUESTIONS, {"nps": 8, "reason": ["staff"]}) is None
    assert logic.progress(QUESTIONS, {"nps": 2}) == (1, 4)


def test_progress_counts_the_longest_path_still_open():
    """Before the score is given, a follow-up it may open still counts: the first page must not
    say "1 of 1" and the next "2 of 2". A follow-up under a hidden question never counts."""
    assert logic.progress(QUESTIONS, {}) == (0, 4)  # nps, a why, reason, price_detail
    assert logic.progress(QUESTIONS, {"nps": 7}) == (1, 3)  # no why for a passive
    assert logic.progress(QUESTIONS, {"nps": 8, "reason": ["staff"]}) == (2, 2)
    chained = [{"key": "nps", "type": "nps"},
               {"key": "why", "type": "single_choice", "show_if": {"question": "nps", "max": 6}},
               {"key": "detail", "type": "text", "show_if": {"question": "why", "in": ["price"]}}]
    assert logic.progress(chained, {}) == (0, 3)
    assert logic.progress(chained, {"nps": 10}) == (1, 1)  # "why" is hidden, so "detail" cannot come
    # A skipped question decides nothing: its follow-ups are off the path.
    optional = [{"key": "nps", "type": "nps"}, {"key": "why", "type": "text", "show_if": {"question": "nps", "max": 6}},
                {"key": "comment", "type": "text"}]
    assert logic.progress(optional, {}, ["nps"]) == (1, 2)
    # One multiple-choice answer can open two follow-ups at once.
    ticks = [{"key": "reason", "type": "multi_choice"},
             {"key": "price", "type": "text", "show_if": {"question": "reason", "in": ["price"]}},
             {"key": "delivery", "type": "text", "show_if": {"question": "reason", "in": ["delivery"]}}]
    assert logic.progress(ticks, {}) == (0, 3)
    assert logic.progress(ticks, {"reason": ["price"]}) == (1, 2)


def test_a_bool_is_not_a_score():
    assert not logic.condition_holds({"question": "nps", "min": 0}, {"nps": True})


def test_a_value_inside_an_optional_part_is_not_expanded_again():
    text = "Hej[ {first_name}], hur var det[ med {agent}]?"
    assert piping.render(text, {"first_name": "{agent}", "agent": "Bo"}, "sv") == "Hej {agent}, hur var det med Bo?"
