"""Language identification on a small hand-written multilingual set of short comments."""


import pytest

from glapp.textanalytics.analyzers.language import VERSION, Language, detect

# Written for this test (not taken from any dataset): short customer comments and single words.
SAMPLES = [
    ("sv", "Bra!"),
    ("sv", "Toppen"),
    ("sv", "Hej"),
    ("sv", "Sämst"),
    ("sv", "Tack för snabb hjälp"),
    ("sv", "Väntetiden var alldeles för lång"),
    ("sv", "Personalen var trevlig och kunnig"),
    ("sv", "Fakturan var fel två månader i rad"),
    ("sv", "Leveransen kom i tid, men paketet var trasigt"),
    ("sv", "Inget att anmärka"),
    ("sv", "Bra men dyrt"),
    ("sv", "Jättebra bemötande i butiken"),
    ("sv", "Appen kraschar hela tiden när jag försöker logga in"),
    ("sv", "Det tog tre veckor innan någon svarade på mitt mejl"),
    ("sv", "Snabb leverans"),
    ("sv", "Kunde inte hitta rätt storlek"),
    ("sv", "Mycket nöjd med köpet, rekommenderar varmt"),
    ("sv", "Krångligt att returnera varan"),
    ("sv", "Stort tack till Anna i kassan!"),
    ("sv", "Priset höjdes utan förvarning"),
    ("en", "Great"),
    ("en", "Awful"),
    ("en", "Thanks!"),
    ("en", "The flight was delayed again"),
    ("en", "Nice staff"),
    ("en", "Good but expensive"),
    ("en", "Worst airline ever"),
    ("en", "Customer service never answered my email"),
    ("en", "Fast delivery and friendly people"),
    ("en", "I waited two hours on the phone"),
    ("en", "The app keeps crashing when I try to log in"),
    ("en", "Lovely people, would recommend"),
    ("en", "My bag was lost and nobody cared"),
    ("en", "Checkout was quick and easy"),
    ("en", "Not worth the money"),
    ("en", "They charged me twice for the same order"),
    ("other", "Jeg er veldig fornøyd med kundeservice"),
    ("other", "Det var ikke så godt"),
    ("other", "Vi er meget tilfredse med leveringen"),
    ("other", "Hurtig levering, tak"),
    ("other", "Takk for god hjelp"),
    ("other", "Sehr gute Beratung, danke"),
    ("other", "Die Lieferung war leider zu spät"),
    ("other", "Kiitos nopeasta toimituksesta"),
    ("other", "Asiakaspalvelu oli erittäin hyvä"),
    ("other", "Muy buen servicio, gracias"),
    ("other", "El pedido llegó tarde"),
    ("other", "Service très rapide, merci"),
    ("other", "Goede service, snel geleverd"),
]


def test_version():
    assert VERSION.startswith("language-")


def test_accuracy_on_hand_written_set():
    wrong = [(want, text, detect(text)) for want, text in SAMPLES if detect(text).code != want]
    assert len(wrong) <= len(SAMPLES) // 20, wrong  # at most 5 % wrong


@pytest.mark.parametrize(
    ("text", "code"),
    [("Bra!", "sv"), ("Great", "en"), ("Tack så mycket", "sv"), ("Thank you so much", "en"), ("Takk", "other")],
)
def test_single_words_and_short_phrases(text, code):
    assert detect(text).code == code


def test_hint_decides_ambiguous_words_but_not_clear_text():
    assert detect("Super", hint="en").code == "en"
    assert detect("Ok", hint="sv").code == "sv"
    assert detect("Ok", hint="en").code == "en"
    assert detect("Väntetiden var alldeles för lång", hint="en").code == "sv"
    assert detect("The flight was delayed again", hint="sv").code == "en"


def test_no_letters():
    assert detect("12345") == Language("other", 0.0)
    assert detect(":)", hint="sv").code == "sv"


def test_confidence_range():
    for _, text in SAMPLES:
        assert 0.0 <= detect(text).confidence <= 1.0
    assert detect("Väntetiden var alldeles för lång och personalen var otrevlig").confidence > 0.9
