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
