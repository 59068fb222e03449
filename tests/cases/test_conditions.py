"""Alert-rule conditions: every leaf on facts that match and facts that do not, the number and
text comparisons of attributes and metadata, churn phrases on a labelled list, validation that
names the bad node, descriptions in both UI languages, and properties over random trees."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glapp.cases import conditions as c
from glapp.cases.conditions import ConditionInvalid, ResponseFacts, compile_rule, describe, validate
from glapp.surveys import question_types as qt


def matches(tree, **facts) -> bool:
    return compile_rule(tree).matches(ResponseFacts(**facts))


# --- Leaves --------------------------------------------------------------------------------


def test_score_any_answer_of_the_kind():
    rule = {"score": "nps", "op": "<=", "value": 6}
    assert matches(rule, scores=((1, "nps", 6),))
    assert not matches(rule, scores=((1, "nps", 7),))
    assert matches(rule, scores=((1, "nps", 9), (2, "nps", 3)))  # any NPS answer
    assert not matches(rule, scores=((1, "csat", 1),))  # another kind
    assert not matches(rule, scores=())
    assert not matches(rule, scores=((1, "nps", None),))


@pytest.mark.parametrize(("op", "hits"), [("<=", [1, 2]), ("<", [1]), (">=", [2, 3]), (">", [3]), ("==", [2]),
                                          ("!=", [1, 3])])
def test_score_operators(op, hits):
    rule = {"score": "csat", "op": op, "value": 2}
    assert [v for v in (1, 2, 3) if matches(rule, scores=((5, "csat", v),))] == hits


def test_score_of_one_question():
    rule = {"score": "ces", "question": 17, "op": "<=", "value": 3}
    assert matches(rule, scores=((17, "ces", 2),))
    assert not matches(rule, scores=((18, "ces", 2), (17, "ces", 6)))


def test_the_score_kinds_are_the_question_types():
    assert c.SCORE_KINDS == (qt.NPS, qt.CES, qt.CSAT, qt.LBA, qt.RATING) == ("nps", "ces", "csat", "lba", "rating")
    for kind in c.SCORE_KINDS:
        assert validate({"score": kind, "op": ">=", "value": qt.TYPES[kind].max}) == []


def test_list_leaves():
    assert matches({"touchpoint": ["kt_tel", "butik"]}, touchpoint="butik")
    assert not matches({"touchpoint": ["kt_tel"]}, touchpoint="KT_TEL")  # codes are exact
    assert not matches({"touchpoint": ["kt_tel"]}, touchpoint="")
    assert matches({"survey": [3, 4]}, survey_id=4)
    assert not matches({"survey": [3]}, survey_id=None)
    assert matches({"channel": ["Email"]}, channel="email")
    assert matches({"language": ["sv"]}, language="SV")
    assert matches({"segment": ["Företag"]}, segment="företag ")
    assert not matches({"segment": ["Företag"]}, segment="")


def test_unit_means_the_unit_or_below_it():
    rule = {"unit": [4]}
    assert matches(rule, unit_id=4, unit_path="/1/4/")
    assert matches(rule, unit_id=9, unit_path="/1/4/9/")
    assert not matches(rule, unit_id=1, unit_path="/1/")
    assert not matches(rule, unit_id=14, unit_path="/1/14/")  # 14 is not 4
    assert not matches(rule, unit_id=41, unit_path="/41/")
    assert not matches(rule, unit_path="")


def test_sentiment_and_topics_of_the_analysis():
    assert matches({"sentiment": ["negative"]}, sentiment="negative")
    assert not matches({"sentiment": ["negative"]}, sentiment=None)  # not analysed yet
    assert matches({"topic": ["billing", "wait"]}, topics=frozenset({"wait", "staff"}))
    assert not matches({"topic": ["billing"]}, topics=frozenset())
    rule = compile_rule({"any": [{"score": "nps", "op": "<=", "value": 6}, {"topic": ["billing"]}]})
    assert rule.needs_analysis and not rule.needs_comment_text
    assert compile_rule({"not": {"sentiment": ["positive"]}}).needs_analysis
    assert not compile_rule({"score": "nps", "op": "<=", "value": 6}).needs_analysis
    assert compile_rule({"phrase": ["cancel"]}).needs_comment_text


# --- Attributes and metadata ------------------------------------------------------------------


@pytest.mark.parametrize(("stored", "op", "value", "expected"), [
    (52000, ">", 50000, True),
    ("52 000", ">", 50000, True),  # a number with a space as thousands separator
    ("52\u00a0000", ">", 50000, True),  # a no-break space
    ("52000.5", ">", 52000, True),
    ("52000,5", ">", 52000, True),  # a Swedish decimal comma
    ("1,000,000", "==", 1000000, True),
    ("1.000.000,50", "==", 1000000.5, True),
    ("49 999", ">", 50000, False),
    ("9", "<", "10", True),  # both hold numbers: compared as numbers, not as text ("9" > "10")
    ("gold", ">", 50000, False),  # text never matches an order
    ("Gold", "==", "gold", True),  # text is case-insensitive
    ("Gold ", "!=", "GOLD", False),
    ("Silver", "!=", "gold", True),
    (None, "==", "gold", False),
    (None, "!=", "gold", True),  # a missing key matches only !=
    (True, "==", True, True),
    ("true", "==", True, True),
    (False, "==", True, False),
    (1, "==", True, False),  # a number is not a boolean
    (["gold"], "==", "gold", False),  # a list is not a value to compare
    (float("nan"), ">", 1, False),
    ("inf", ">", 1, False),
    ("52 000 kr", ">", 1, False),  # with a unit it is text
])
def test_attribute_comparison(stored, op, value, expected):
    attributes = {} if stored is None else {"annual_value": stored}
    rule = {"attribute": "annual_value", "op": op, "value": value}
    assert matches(rule, attributes=attributes) is expected
    assert matches({"metadata": "annual_value", "op": op, "value": value}, metadata=attributes) is expected


def test_a_missing_key_never_matches_except_not_equal():
    for op in ("<=", "<", ">=", ">", "=="):
        assert not matches({"attribute": "tier", "op": op, "value": 3}, attributes={"other": 3})
    assert matches({"attribute": "tier", "op": "!=", "value": 3}, attributes={})
    assert not matches({"metadata": "store", "op": "==", "value": "Kista"}, attributes={"store": "Kista"})


def test_numbers_in_text():
    assert c.as_number("−5") == -5
    assert c.as_number(" 12 345 678 ") == 12345678
    assert c.as_number("12 34") is None  # not groups of three
    assert c.as_number("1e5") is None
    assert c.as_number("") is None and c.as_number(True) is None and c.as_number("nan") is None


# --- Phrases: a labelled list -----------------------------------------------------------------

CHURN = ["säga upp", "byta operatör", "cancel"]
# (comment, should the churn phrases match it?) What a CX manager watching for churn expects.
LABELLED = [
    ("Jag vill säga upp mitt abonnemang.", True),
    ("Jag säger upp avtalet nu", True),
    ("Jag har sagt upp mig efter detta", True),
    ("Sa upp abonnemanget igår", True),
    ("Sade upp mitt kontrakt", True),
    ("Nu säger jag upp mig!", True),  # the subject between verb and particle
    ("SÄGA UPP. Direkt.", True),
    ("Vi kommer att byta operatör", True),
    ("Har bytt operatör efter detta", True),
    ("Vi byter operatör i höst", True),
    ("Dags att byta till en annan operatör", True),
    ("Jag bytte operatör förra året", True),
    ("I will cancel my subscription", True),
    ("I cancelled yesterday", True),
    ("Cancelling as soon as I can", True),
    ("cancels everything", True),
    ("Jag vill cancel mitt konto", True),  # mixed languages
    ("The cancellation policy was clear", False),  # a derived word: not the verb
    ("Uppsägningstiden var rimlig", False),  # the noun is another word (add "uppsägning" for it)
    ("Hon sa att priset gick upp", False),  # "upp" belongs to another clause
    ("Jag ringde upp och sa tack", False),  # the words in the wrong order
    ("Bra service, sa han. Upp med humöret!", False),  # across a sentence end
    ("Säga vad man vill om priset, upp till er", False),
    ("Bytte telefon, operatören var bra", False),  # a comma ends the clause
    ("Vi har varit kunder i tio år och är nöjda", False),
    ("Operatören borde byta system", False),  # order
    ("Jag funderar på att byta bostad och operatör", False),  # "och": another clause
    ("Kan man säga att det är bra? Upp till bevis", False),
]


def test_churn_phrases_on_a_labelled_list():
    rule = compile_rule({"phrase": CHURN})
    wrong = [(text, expected) for text, expected in LABELLED
             if rule.matches(ResponseFacts(comment=text, language="sv")) is not expected]
    assert wrong == []


def test_phrase_words_match_inflections_and_compounds():
    rule = compile_rule({"phrase": ["uppsägning"]})
    for text in ("Uppsägningen tog tid", "abonnemangsuppsägning", "uppsägningar"):
        assert rule.matches(ResponseFacts(comment=text)), text
    assert compile_rule({"phrase": ["uppsäg*"]}).matches(ResponseFacts(comment="uppsagd? nej, uppsägningstid"))
    assert not compile_rule({"phrase": ["uppsäg*"]}).matches(ResponseFacts(comment="uppsagd"))


def test_phrases_are_case_insensitive_and_whole_words():
    rule = compile_rule({"phrase": ["cancel"]})
    assert rule.matches(ResponseFacts(comment="CANCEL NOW"))
    assert not rule.matches(ResponseFacts(comment="precancel"))
    assert not rule.matches(ResponseFacts(comment=""))


def test_phrase_spans_for_highlighting():
    text = "Ok. Nu säger jag upp mig"
    assert [text[a:b] for a, b in c.phrase_spans(CHURN, text)] == ["säger jag upp"]


def test_hostile_comment_text_is_only_text():
    rule = compile_rule({"phrase": ["cancel"]})
    assert rule.matches(ResponseFacts(comment="<script>alert(1)</script> cancel \x00 \u202e"))
    assert not rule.matches(ResponseFacts(comment="(((((((" * 1000))


# --- Combinations -------------------------------------------------------------------------------


def test_all_any_not():
    detractor = {"score": "nps", "op": "<=", "value": 6}
    phone = {"touchpoint": ["kt_tel"]}
    facts = {"scores": ((1, "nps", 3),), "touchpoint": "butik"}
    assert not matches({"all": [detractor, phone]}, **facts)
    assert matches({"any": [detractor, phone]}, **facts)
    assert matches({"all": [detractor, {"not": phone}]}, **facts)
    assert matches({"all": [{"any": [phone, detractor]}, {"not": {"not": detractor}}]}, **facts)


def test_the_issue_example():
    """NPS ≤ 6 for a high-value customer, or churn talk in the comment."""
    rule = compile_rule({"any": [
        {"all": [{"score": "nps", "op": "<=", "value": 6},
                 {"attribute": "annual_value", "op": ">", "value": 50000}]},
        {"phrase": CHURN},
    ]})
    assert rule.matches(ResponseFacts(scores=((1, "nps", 4),), attributes={"annual_value": "60 000"}))
    assert not rule.matches(ResponseFacts(scores=((1, "nps", 4),), attributes={"annual_value": "20 000"}))
    assert rule.matches(ResponseFacts(scores=((1, "nps", 9),), comment="Funderar på att byta operatör"))
    assert not rule.needs_analysis and rule.needs_comment_text


# --- Validation ---------------------------------------------------------------------------------


def errors(tree, language="en") -> dict[str, str]:
    return dict(validate(tree, language))


def test_validation_names_the_bad_node():
    tree = {"all": [
        {"score": "nps", "op": "<=", "value": 6},
        {"touchpoint": ["kt_tel"]},
        {"score": "nps", "op": "=<", "value": 6},
    ]}
    assert list(errors(tree)) == ["conditions.all[2].op"]
    assert "<=" in errors(tree)["conditions.all[2].op"]


@pytest.mark.parametrize(("tree", "path", "words"), [
    ({"all": [{"foo": [1]}]}, "conditions.all[0].foo", "Unknown condition"),
    ({"score": "nps", "op": "<=", "value": 6, "extra": 1}, "conditions.extra", "Unknown field"),
    ({"all": [], }, "conditions.all", "at least one condition"),
    ({"any": {"touchpoint": ["a"]}}, "conditions.any", "list"),
    ({"touchpoint": []}, "conditions.touchpoint", "at least one value"),
    ({"touchpoint": "kt_tel"}, "conditions.touchpoint", "list"),
    ({"touchpoint": ["a", 3]}, "conditions.touchpoint[1]", "text"),
    ({"unit": ["4"]}, "conditions.unit[0]", "id"),
    ({"survey": [True]}, "conditions.survey[0]", "id"),
    ({"score": "NPS", "op": "<=", "value": 6}, "conditions.score", "Unknown score"),
    ({"score": "nps", "op": "<=", "value": 11}, "conditions.value", "0 to 10"),
    ({"score": "csat", "op": "<=", "value": "2"}, "conditions.value", "number"),
    ({"score": "csat", "op": "<=", "value": math.nan}, "conditions.value", "number"),
    ({"score": "csat", "op": "<="}, "conditions.value", "Required"),
    ({"score": "csat", "value": 2}, "conditions.op", "Required"),
    ({"score": "csat", "question": "q1", "op": "<=", "value": 2}, "conditions.question", "question id"),
    ({"attribute": "", "op": "==", "value": "x"}, "conditions.attribute", "text"),
    ({"attribute": "tier", "op": ">", "value": "gold"}, "conditions.op", "Text compares only"),
    ({"attribute": "tier", "op": "==", "value": [1]}, "conditions.value", "number, text or true/false"),
    ({"attribute": "tier", "op": ">", "value": True}, "conditions.op", "Text compares only"),
    ({"sentiment": ["angry"]}, "conditions.sentiment[0]", "negative, neutral, positive"),
    ({"phrase": ["!!!"]}, "conditions.phrase[0]", "at least one word"),
    ({"phrase": ["a*"]}, "conditions.phrase[0]", "*"),
    ({"phrase": ["x" * 101]}, "conditions.phrase[0]", "100"),
    ({"touchpoint": ["a"] * 201}, "conditions.touchpoint", "200"),
    ({"score": "nps", "touchpoint": ["a"]}, "conditions", "One object holds one condition"),
    ([], "conditions", "A condition is an object"),
    ("nps <= 6", "conditions", "A condition is an object"),
    ({}, "conditions", "A condition is an object"),
])
def test_validation_messages(tree, path, words):
    found = errors(tree)
    assert path in found, found
    assert words in found[path]
    with pytest.raises(ConditionInvalid) as raised:
        compile_rule(tree)
    assert (path, found[path]) in raised.value.errors


def test_depth_and_size_are_bounded():
    leaf = {"touchpoint": ["a"]}
    deep = {"all": [{"any": [{"not": {"all": [leaf]}}]}]}  # four levels: allowed
    assert validate(deep) == []
    too_deep = {"all": [{"any": [{"not": {"all": [{"any": [leaf]}]}}]}]}
    assert list(errors(too_deep)) == ["conditions.all[0].any[0].not.all[0].any"]
    assert validate({"any": [leaf] * 50}) == []
    assert "51" in errors({"any": [leaf] * 51})["conditions"]


def test_validation_messages_in_swedish():
    found = errors({"all": [{"score": "nps", "op": "<=", "value": 12}, {"touchpoint": []}]}, "sv")
    assert found["conditions.all[0].value"] == "NPS-svar går från 0 till 10."
    assert found["conditions.all[1].touchpoint"] == "Ange minst ett värde."


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from([*c.COMBINATORS, *c.LEAVES, "op", "value", "question", "x"]) | st.text(max_size=5),
        children, max_size=4),
    max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(tree=json_values)
def test_validate_never_raises_and_what_it_accepts_compiles(tree):
    found = validate(tree)
    assert all(isinstance(path, str) and path.startswith("conditions") and message for path, message in found)
    if not found:
        compile_rule(tree).matches(ResponseFacts())
        describe(tree)


# --- Descriptions -------------------------------------------------------------------------------


def test_describe_in_english():
    tree = {"all": [{"score": "nps", "op": "<=", "value": 6},
                    {"touchpoint": ["kt_tel", "butik", "web"]},
                    {"any": [{"phrase": ["säga upp", "cancel"]}, {"sentiment": ["negative"]}]},
                    {"not": {"unit": [4]}},
                    {"attribute": "annual_value", "op": ">", "value": 50000}]}
    labels = {"touchpoint": {"kt_tel": "Kundtjänst telefon", "butik": "Butik"}, "unit": {4: "Stockholm"}}
    assert describe(tree, labels=labels) == (
        "NPS ≤ 6 and touchpoint is Kundtjänst telefon, Butik or web and (comment mentions “säga upp” or "
        "“cancel” or comment is negative) and not (unit is Stockholm or below) and customer’s annual_value > 50000")


def test_describe_in_swedish():
    tree = {"any": [{"score": "csat", "question": 17, "op": "<=", "value": 2},
                    {"metadata": "store", "op": "==", "value": "Kista"},
                    {"sentiment": ["negative", "neutral"]}]}
    assert describe(tree, "sv", labels={"question": {17: "Hur nöjd är du?"}}) == (
        "CSAT för ”Hur nöjd är du?” ≤ 2 eller svarets store = ”Kista” eller kommentaren är negativ eller neutral")


def test_describe_one_child_is_the_child():
    leaf = {"score": "ces", "op": "<=", "value": 3}
    assert describe({"all": [leaf]}) == describe({"any": [{"all": [leaf]}]}) == "CES ≤ 3"


# --- Properties over random trees ----------------------------------------------------------------

leaves = st.one_of(
    st.builds(lambda kind, op, value, question: {"score": kind, "op": op, "value": value,
                                                 **({"question": question} if question else {})},
              st.sampled_from(c.SCORE_KINDS), st.sampled_from(list(c.OPERATORS)), st.integers(1, 5),
              st.sampled_from([None, 1, 2])),
    st.builds(lambda v: {"touchpoint": v}, st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3)),
    st.builds(lambda v: {"survey": v}, st.lists(st.integers(1, 3), min_size=1, max_size=2)),
    st.builds(lambda v: {"unit": v}, st.lists(st.integers(1, 6), min_size=1, max_size=2)),
    st.builds(lambda v: {"channel": v}, st.lists(st.sampled_from(["email", "sms"]), min_size=1, max_size=2)),
    st.builds(lambda v: {"segment": v}, st.lists(st.sampled_from(["Företag", "privat"]), min_size=1, max_size=2)),
    st.builds(lambda key, op, value: {"attribute": key, "op": op, "value": value},
              st.sampled_from(["tier", "value"]), st.sampled_from(["==", "!="]),
              st.one_of(st.integers(-5, 5), st.sampled_from(["gold", "5", "5,0"]), st.booleans())),
    st.builds(lambda key, op, value: {"metadata": key, "op": op, "value": value},
              st.sampled_from(["tier", "value"]), st.sampled_from(list(c.OPERATORS)), st.integers(-5, 5)),
    st.builds(lambda v: {"sentiment": v}, st.lists(st.sampled_from(c.SENTIMENTS), min_size=1, max_size=2)),
    st.builds(lambda v: {"topic": v}, st.lists(st.sampled_from(["billing", "wait"]), min_size=1, max_size=2)),
    st.builds(lambda v: {"phrase": v}, st.lists(st.sampled_from([*CHURN, "kö", "väntetid*"]), min_size=1,
                                                max_size=2)),
)


def _trees(depth: int):
    if depth == 0:
        return leaves
    child = _trees(depth - 1)
    return st.one_of(
        leaves,
        st.builds(lambda items: {"all": items}, st.lists(child, min_size=1, max_size=3)),
        st.builds(lambda items: {"any": items}, st.lists(child, min_size=1, max_size=3)),
        st.builds(lambda item: {"not": item}, child),
    )


trees = _trees(3)
attribute_values = st.one_of(st.none(), st.integers(-5, 5), st.floats(allow_nan=True), st.booleans(),
                             st.sampled_from(["gold", "GOLD ", "5", "5,0", "", "1 000", "x"]), st.lists(st.integers()))
facts = st.builds(
    ResponseFacts,
    survey_id=st.one_of(st.none(), st.integers(1, 3)),
    touchpoint=st.sampled_from(["", "a", "b", "c"]),
    unit_path=st.sampled_from(["", "/1/", "/1/4/", "/1/4/6/", "/2/5/"]),
    channel=st.sampled_from(["", "email", "SMS"]),
    language=st.sampled_from(["", "sv", "en"]),
    segment=st.sampled_from(["", "företag", "Privat"]),
    metadata=st.dictionaries(st.sampled_from(["tier", "value"]), attribute_values, max_size=2),
    attributes=st.dictionaries(st.sampled_from(["tier", "value"]), attribute_values, max_size=2),
    scores=st.lists(st.tuples(st.sampled_from([1, 2, 3]), st.sampled_from(c.SCORE_KINDS),
                              st.one_of(st.none(), st.integers(0, 10))), max_size=3).map(tuple),
    comment=st.one_of(st.text(max_size=40), st.sampled_from([t for t, _ in LABELLED])),
    sentiment=st.one_of(st.none(), st.sampled_from(c.SENTIMENTS)),
    topics=st.frozensets(st.sampled_from(["billing", "wait", "staff"]), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(tree=trees, facts=facts)
def test_random_valid_trees_never_raise(tree, facts):
    assert validate(tree) == []
    assert isinstance(compile_rule(tree).matches(facts), bool)
    assert describe(tree) and describe(tree, "sv")


@settings(max_examples=300, deadline=None)
@given(tree=trees, facts=facts)
def test_not_inverts(tree, facts):
    if "not" in tree or "all" in tree or "any" in tree:
        return  # one more level could pass the depth limit; leaves and shallow trees suffice
    assert compile_rule({"not": tree}).matches(facts) is not compile_rule(tree).matches(facts)


@settings(max_examples=300, deadline=None)
@given(tree=_trees(2), facts=facts)
def test_not_inverts_nested_trees_and_one_child_is_the_child(tree, facts):
    got = compile_rule(tree).matches(facts)
    assert compile_rule({"not": tree}).matches(facts) is not got
    assert compile_rule({"all": [tree]}).matches(facts) is got
    assert compile_rule({"any": [tree]}).matches(facts) is got


@settings(max_examples=200, deadline=None)
@given(left=_trees(2), right=_trees(2), facts=facts)
def test_all_and_any_are_and_and_or(left, right, facts):
    a, b = compile_rule(left).matches(facts), compile_rule(right).matches(facts)
    assert compile_rule({"all": [left, right]}).matches(facts) is (a and b)
    assert compile_rule({"any": [left, right]}).matches(facts) is (a or b)
    # De Morgan, which the evaluation of not must respect
    assert compile_rule({"not": {"all": [left, right]}}).matches(facts) is \
        compile_rule({"any": [{"not": left}, {"not": right}]}).matches(facts)


# --- The phrase shortcut says what the full match says ------------------------------------------

PIECES = ["säger", "upp", "sa", "sagt", "Cancel", "cancelled", "cancellation", "operatören", "bytt", "byta", "kö",
          "köpte", "faktura", "fakturan", "10-talet", "4g", "#cancel", "@cancel", "anna@cancel.se", "www.cancel.se",
          "https://x.se/cancel", ":D", "xD", ";P", "İstanbul", "straße", "jag", "till", "en", "annan", "att", "12abc",
          "upp-", "–", "kö-tid", "O'Brien", "5kö", "+5cancel", "kö2", "a10-talet", "10.5", "-10-talet"]
SEPARATORS = [" ", " ", ", ", ". ", "-", "'", "\n", "", "!!", "(", ")", "/"]
comments = st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(SEPARATORS)), max_size=10).map(
    lambda parts: "".join(p + s for p, s in parts))
phrase_lists = st.lists(st.sampled_from(["säga upp", "cancel", "byta operatör", "kö", "kö*", "faktura",
                                         "talet", "4g", "abc", "upp", "byta till en annan operatör", "istanbul",
                                         "strasse", "cancel*", "d", "p"]), min_size=1, max_size=4)


@settings(max_examples=500, deadline=None)
@given(text=st.one_of(comments, st.text(max_size=40)), phrases=phrase_lists)
def test_the_phrase_shortcut_agrees_with_the_full_match(text, phrases):
    from glapp.textanalytics.analyzers import query, tokens

    facts = ResponseFacts(comment=text)
    doc = query.Doc(text, "other")
    assert {tokens.normalize(w) for w in facts.words()} == set(doc.norms)
    expected = bool(c._phrase_matcher(phrases).hits(doc))
    assert compile_rule({"phrase": phrases}).matches(facts) is expected


def test_facts_of_an_unexpected_shape_do_not_match():
    """Metadata or attributes that are not an object (a list stored by an old import) are
    treated as missing, not as an error on ingest."""
    assert not matches({"metadata": "store", "op": "==", "value": "Kista"}, metadata=["Kista"])
    assert matches({"metadata": "store", "op": "!=", "value": "Kista"}, metadata=None)
    assert not matches({"attribute": "tier", "op": ">", "value": 1}, attributes="gold")
