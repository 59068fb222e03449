import pytest

from glapp.textanalytics.analyzers import query, taxonomy

# One typical Swedish and one typical English sentence per topic.
EXAMPLES = {
    "staff_attitude": ("Personalen var otrevlig och nonchalant", "The staff were rude to me"),
    "waiting_time": ("Satt i telefonkö i 40 minuter", "We waited in a long line for an hour"),
    "customer_service": ("Kundtjänsten svarar aldrig på mejl", "Impossible to get through to customer service"),
    "problem_resolution": ("Ingen hjälp alls, problemet är inte löst", "They resolved my issue quickly"),
    "staff_competence": ("Säljaren var inkompetent och visste inte", "The agent was knowledgeable"),
    "price": ("Alldeles för dyrt, priset har höjts", "Way too expensive for what you get"),
    "delivery": ("Paketet kom fram efter två veckor", "My parcel was never delivered"),
    "product_quality": ("Jackan gick sönder efter en vecka, dålig kvalitet", "The item arrived broken"),
    "billing": ("Fakturan var fel igen", "I was charged twice on my bill"),
    "web_app": ("Appen kraschar när jag loggar in", "The website keeps crashing at checkout"),
    "offers_campaigns": ("Bra erbjudande men bara för nya kunder", "The promo code did not work"),
    "information_clarity": ("Otydlig information om villkoren", "The terms were confusing and misleading"),
    "returns_complaints": ("Returen tog lång tid och reklamationen avslogs", "I want to return this item"),
    "network_coverage": ("Dålig täckning i hela huset", "No signal and the internet keeps dropping"),
    "store_experience": ("Butiken var stökig och kassan stängd", "The store was well organised"),
    "contract_cancellation": ("Svårt att säga upp abonnemanget", "They renewed my contract without asking"),
    "payment": ("Betalningen med Swish gick inte igenom", "My card payment was declined"),
    "security_fraud": ("Någon har kapat mitt konto, bedrägeri", "I think this is a scam"),
    "onboarding_activation": ("Det tog en vecka att aktivera simkortet", "Setting up the router was easy"),
    "punctuality": ("Tåget var försenat igen", "The flight was delayed three hours"),
    "cancellations": ("Avgången ställdes in utan förvarning", "My flight was cancelled"),
    "baggage": ("Bagaget kom inte fram", "They lost my luggage"),
    "cleanliness_comfort": ("Smutsig toalett och obekväma säten", "The seats were cramped and uncomfortable"),
    "booking": ("Bokningen försvann ur systemet", "I could not change my booking"),
    "loyalty": ("Mina bonuspoäng försvann", "My frequent flyer miles were not credited"),
}


def test_taxonomy_is_complete_and_parses():
    codes = [t.code for t in taxonomy.TOPICS]
    assert len(codes) == len(set(codes))
    required = {"staff_attitude", "waiting_time", "price", "delivery", "product_quality", "billing", "web_app",
                "offers_campaigns", "information_clarity", "returns_complaints"}
    assert required <= set(codes)
    for topic in taxonomy.TOPICS:
        assert topic.name_sv and topic.name_en and topic.description
        query.parse(topic.query)
    assert set(EXAMPLES) == set(codes)


@pytest.mark.parametrize("topic", taxonomy.TOPICS, ids=lambda t: t.code)
def test_each_topic_matches_typical_sentences(topic):
    compiled = query.parse(topic.query)
    sv, en = EXAMPLES[topic.code]
    assert compiled.match(query.Doc(sv, "sv")), sv
    assert compiled.match(query.Doc(en, "en")), en


def test_neutral_sentences_match_few_topics():
    compiled = [query.parse(t.query) for t in taxonomy.TOPICS]
    for text, lang in (("Jag gick hem och åt middag", "sv"), ("I walked home and had dinner", "en")):
        doc = query.Doc(text, lang)
        assert [t.code for t, q in zip(taxonomy.TOPICS, compiled, strict=True) if q.match(doc)] == []


def _topics_of(text: str, lang: str) -> set[str]:
    doc = query.Doc(text, lang)
    return {t.code for t in taxonomy.TOPICS if query.parse(t.query).match(doc)}


@pytest.mark.parametrize(("text", "lang"), [
    ("Han fixade det på två minuter, toppen!", "sv"),
    ("Löst på fem minuter, bättre än väntat", "sv"),
    ("Det tog bara några minuter att komma igång", "sv"),
    ("Fixed it in two minutes, brilliant", "en"),
    ("Can't wait to come back", "en"),
    ("I have been a customer for so long", "en"),
])
def test_a_duration_or_an_idiom_alone_is_no_waiting_time(text, lang):
    assert "waiting_time" not in _topics_of(text, lang)


@pytest.mark.parametrize(("text", "lang"), [
    ("Fick vänta i två timmar", "sv"),
    ("Satt i telefon i 40 minuter innan någon svarade", "sv"),
    ("Det dröjde en vecka", "sv"),
    ("Det tog lång tid att få svar", "sv"),
    ("Ingen kö alls", "sv"),
    ("I was on the phone for 2 hours", "en"),
    ("45 minutes on hold", "en"),
    ("The wait was far too long", "en"),
    ("Why does it take so long to answer", "en"),
])
def test_durations_with_waiting_words_are_waiting_time(text, lang):
    assert "waiting_time" in _topics_of(text, lang)


@pytest.mark.parametrize(("text", "lang", "code"), [
    ("Sen fick jag hjälp direkt", "sv", "punctuality"),  # sen = sedan (then)
    ("Jag kom inte ihåg lösenordet", "sv", "punctuality"),
    ("Jag är inte säker på vad som gäller", "sv", "security_fraud"),  # säker = sure
    ("Jag ville byta lösenord", "sv", "returns_complaints"),
    ("Rena katastrofen", "sv", "cleanliness_comfort"),  # ren = sheer
    ("Ett varmt bemötande", "sv", "cleanliness_comfort"),
    ("Contactless payment did not work", "en", "customer_service"),
    ("I chose the fixed price option", "en", "problem_resolution"),
    ("Our plans changed", "en", "contract_cancellation"),
])
def test_everyday_senses_of_topic_words_are_not_mentions(text, lang, code):
    assert code not in _topics_of(text, lang)


def test_industry_packs_are_marked():
    travel = {t.code for t in taxonomy.TOPICS if t.pack == taxonomy.TRAVEL}
    assert travel == {"baggage", "booking", "cancellations", "cleanliness_comfort"}
    assert all(t.pack in taxonomy.PACKS for t in taxonomy.TOPICS)
    assert taxonomy.BY_CODE["waiting_time"].general and not taxonomy.BY_CODE["baggage"].general


def test_current_queries_are_never_superseded():
    for t in taxonomy.TOPICS:
        assert not taxonomy.is_superseded(t.code, t.query)


# Words with several senses: the sense the comment means decides the topic (invented examples).
@pytest.mark.parametrize(("text", "lang", "wrong", "right"), [
    ("The engineer came to do the installation on Monday", "en", "payment", "onboarding_activation"),
    ("Installationen av routern gick smidigt", "sv", "payment", "onboarding_activation"),
    ("The sales person explained everything", "en", "offers_campaigns", None),
    ("Vi har Familjepaketet med fyra abonnemang", "sv", "delivery", "contract_cancellation"),
    ("Vi bokade en paketresa till Kreta", "sv", "delivery", None),
    ("Inget att klaga på, allt fungerade", "sv", "returns_complaints", None),
    ("No complaints at all, great service", "en", "returns_complaints", None),
    ("The box was damaged when it arrived", "en", "product_quality", "delivery"),
    ("Kartongen var trasig när paketet kom", "sv", "product_quality", "delivery"),
    ("My calls keep dropping at home", "en", "customer_service", "network_coverage"),
    ("The pickup point is far from my house", "en", "loyalty", "delivery"),
    ("Blev tipsad av en vän", "sv", "staff_attitude", None),
    ("Hämtade ut min bil i går", "sv", "price", None),
    ("Det var tydligen slut i lager", "sv", "information_clarity", None),
    ("Fri frakt över 500 kr, gratis frakt är toppen", "sv", "offers_campaigns", "delivery"),
])
def test_a_word_in_another_sense_is_not_the_topic(text, lang, wrong, right):
    found = _topics_of(text, lang)
    assert wrong not in found
    if right:
        assert right in found


@pytest.mark.parametrize(("text", "lang", "code"), [
    ("I pay in monthly instalments", "en", "payment"),
    ("Klagade två gånger utan svar", "sv", "returns_complaints"),
    ("The lamp itself arrived damaged", "en", "product_quality"),
    ("Jättenöjd med produkten", "sv", "product_quality"),
    ("I earned points on my loyalty card", "en", "loyalty"),
    ("On hold for two hours, nobody answers the phone", "en", "customer_service"),
    ("Fick fel vara skickad", "sv", "delivery"),
    ("Sat on the runway for an hour before take off", "en", "punctuality"),
])
def test_the_same_words_in_their_topic_sense_still_match(text, lang, code):
    assert code in _topics_of(text, lang)


def test_copies_of_the_previous_version_are_superseded():
    """Every built-in query changed in this version keeps its predecessor's fingerprint, so
    organizations' unedited copies are brought up to date (actions.upgrade_builtin_topics)."""
    assert taxonomy.VERSION == "taxonomy-3"
    previous_payment = ('betalning OR betala OR betalade OR betalat OR betalsätt OR swish OR klarna OR kortbetalning '
                        'OR "kortet" OR delbetalning OR avbetalning OR autogiro OR "e-faktura" OR kontant OR kontanter '
                        'OR payment OR payments OR pay OR paid OR paying OR "credit card" OR "debit card" OR card OR '
                        'paypal OR "apple pay" OR "google pay" OR instal* OR cash OR "direct debit" OR declined')
    assert taxonomy.is_superseded("payment", previous_payment)
    assert not taxonomy.is_superseded("payment", previous_payment + " OR faktura")  # edited: the organization's
