"""Exempelbolaget AB: the demo company's structure as plain data.

A Swedish telecom/retail company selling subscriptions and devices online and in stores.
Pure Python (no Django) so the generator can use it; `loader.create_demo_org` turns it into
rows through the accounts, journeys and surveys actions.
"""

from dataclasses import dataclass, field

ORG_NAME = "Exempelbolaget AB"
ORG_SLUG = "exempelbolaget"
ROOT_UNIT = "exempelbolaget"
JOURNEY_NAME = "Kundresan"
JOURNEY_CODE = "kundresan"


@dataclass(frozen=True)
class Store:
    code: str
    name: str  # as customers say it: "butiken i Umeå"
    city: str


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    weight: float  # share of customers
    stores: tuple[Store, ...]


REGIONS: tuple[Region, ...] = (
    Region("norr", "Norr", 0.13, (
        Store("butik-umea", "Umeå Avion", "Umeå"),
        Store("butik-lulea", "Luleå Storgatan", "Luleå"),
        Store("butik-sundsvall", "Sundsvall Birsta", "Sundsvall"),
    )),
    Region("mitt", "Mitt", 0.17, (
        Store("butik-uppsala", "Uppsala Forumgallerian", "Uppsala"),
        Store("butik-vasteras", "Västerås Erikslund", "Västerås"),
        Store("butik-orebro", "Örebro Krämaren", "Örebro"),
        Store("butik-gavle", "Gävle Valbo", "Gävle"),
    )),
    Region("stockholm", "Stockholm", 0.30, (
        Store("butik-sergels-torg", "Sergels torg", "Stockholm"),
        Store("butik-kista", "Kista Galleria", "Kista"),
        Store("butik-taby", "Täby Centrum", "Täby"),
        Store("butik-solna", "Mall of Scandinavia", "Solna"),
        Store("butik-sodertalje", "Södertälje Kringlan", "Södertälje"),
    )),
    Region("vast", "Väst", 0.20, (
        Store("butik-nordstan", "Göteborg Nordstan", "Göteborg"),
        Store("butik-boras", "Borås Knalleland", "Borås"),
        Store("butik-trollhattan", "Trollhättan Överby", "Trollhättan"),
    )),
    Region("syd", "Syd", 0.20, (
        Store("butik-malmo", "Malmö Emporia", "Malmö"),
        Store("butik-lund", "Lund Nova", "Lund"),
        Store("butik-helsingborg", "Helsingborg Väla", "Helsingborg"),
        Store("butik-kalmar", "Kalmar Baronen", "Kalmar"),
    )),
)
REGION_BY_CODE = {r.code: r for r in REGIONS}
STORES = tuple(s for r in REGIONS for s in r.stores)

# Journey: (stage, [touchpoint names]). Touchpoint codes are the slugs of the names.
STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Köp", ("Webbkassa", "Butik")),
    ("Leverans", ("Hemleverans", "Ombud", "Kom igång")),  # Kom igång: activating the subscription/device
    ("Kundkontakt", ("Kundtjänst telefon", "Chatt")),
    ("Förnyelse", ("Förnyelse", "Uppsägning")),
)

# Touchpoint codes (what create_journey's slugify makes of the names above).
WEBBKASSA = "webbkassa"
BUTIK = "butik"
HEMLEVERANS = "hemleverans"
OMBUD = "ombud"
KOM_IGANG = "kom-igang"
KUNDTJANST = "kundtjanst-telefon"
CHATT = "chatt"
FORNYELSE = "fornyelse"
UPPSAGNING = "uppsagning"
RELATION = ""  # the relationship survey has no touchpoint

SEGMENTS = (("private", 0.62), ("business", 0.14), ("student", 0.12), ("senior", 0.12))
ENGLISH_SHARE = 0.12  # customers who answer in English

# Question texts, per language.
Q_NPS = {"sv": "Hur troligt är det att du skulle rekommendera Exempelbolaget till en vän eller kollega?",
         "en": "How likely are you to recommend Exempelbolaget to a friend or colleague?"}
Q_WHY = {"sv": "Vad är den viktigaste anledningen till ditt betyg?",
         "en": "What is the main reason for your score?"}
Q_CES = {"sv": "Hur enkelt var det att få hjälp med ditt ärende?",
         "en": "How easy was it to get your issue resolved?"}
Q_CSAT = {"sv": "Hur nöjd är du med leveransen?", "en": "How satisfied are you with the delivery?"}
Q_EMOTION = {"sv": "Vilken känsla beskriver bäst din upplevelse?",
             "en": "Which feeling best describes your experience?"}
Q_REASON = {"sv": "Vad är huvudskälet till att du säger upp ditt abonnemang?",
            "en": "What is the main reason you are cancelling?"}
Q_REL_NPS = {"sv": "Hur troligt är det att du skulle rekommendera Exempelbolaget som operatör till en vän?",
             "en": "How likely are you to recommend Exempelbolaget as your operator to a friend?"}
CANCEL_REASONS = ("pris", "tackning", "service", "flytt", "annat")


@dataclass(frozen=True)
class QuestionDef:
    key: str
    type: str  # a glapp.surveys.question_types code
    texts: dict[str, str]
    required: bool = False
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class SurveyDef:
    code: str
    name: str
    touchpoint: str  # touchpoint code, "" for the relationship survey
    kind: str  # "transactional" or "relationship"
    questions: tuple[QuestionDef, ...] = field(default_factory=tuple)


def _nps(texts=Q_NPS):
    return QuestionDef("nps", "nps", texts, required=True)


WHY = QuestionDef("comment", "text", Q_WHY)
CES = QuestionDef("ces", "ces", Q_CES)
CSAT = QuestionDef("csat", "csat", Q_CSAT)
EMOTION = QuestionDef("emotion", "emotion", Q_EMOTION)

SURVEYS: tuple[SurveyDef, ...] = (
    SurveyDef("webbkassa", "Köp i webbkassan", WEBBKASSA, "transactional", (_nps(), EMOTION, WHY)),
    SurveyDef("butik", "Besök i butik", BUTIK, "transactional", (_nps(), WHY)),
    SurveyDef("hemleverans", "Hemleverans", HEMLEVERANS, "transactional", (_nps(), CSAT, WHY)),
    SurveyDef("ombud", "Hämtning hos ombud", OMBUD, "transactional", (_nps(), CSAT, WHY)),
    SurveyDef("kom-igang", "Kom igång", KOM_IGANG, "transactional", (_nps(), EMOTION, WHY)),
    SurveyDef("kundtjanst", "Kundtjänst telefon", KUNDTJANST, "transactional", (_nps(), CES, WHY)),
    SurveyDef("chatt", "Chatt", CHATT, "transactional", (_nps(), CES, WHY)),
    SurveyDef("fornyelse", "Förnyelse", FORNYELSE, "transactional", (_nps(), WHY)),
    SurveyDef("uppsagning", "Uppsägning", UPPSAGNING, "transactional",
              (_nps(), QuestionDef("reason", "single_choice", Q_REASON, options=CANCEL_REASONS), WHY)),
    SurveyDef("relation", "Relations-NPS", RELATION, "relationship", (_nps(Q_REL_NPS), WHY)),
)
SURVEY_BY_TOUCHPOINT = {s.touchpoint: s for s in SURVEYS}

# Every question key and metadata key any demo response may carry, in file-column order.
QUESTION_KEYS = ["nps", "ces", "csat", "emotion", "reason", "comment"]
METADATA_KEYS = ["campaign", "product", "agent", "store", "delivery_partner"]

PRODUCTS = (
    # (name in metadata and comments, monthly price in SEK, is a device)
    ("Mobil 20 GB", 249, False),
    ("Mobil Obegränsad 5G", 399, False),
    ("Familjepaket 4 kort", 699, False),
    ("Bredband 250/250", 389, False),
    ("Mobilt bredband 100 GB", 299, False),
    ("iPhone 16", 479, True),
    ("Samsung Galaxy S25", 429, True),
    ("Google Pixel 9", 369, True),
    ("Surfplatta Galaxy Tab", 199, True),
)
PHONE_AGENTS = ("Amir", "Linnea", "Johan", "Fatima", "Oskar", "Maja", "Elias", "Sofia", "Hassan", "Ida",
                "Viktor", "Elin")
CHAT_AGENTS = ("Alva", "Noah", "Leila", "Hugo", "Wilma", "Adam", "Ebba", "Liam")
FIRST_NAMES = ("Anna", "Erik", "Maria", "Lars", "Karin", "Anders", "Sara", "Johan", "Emma", "Per", "Kerstin",
               "Mikael", "Lena", "Fredrik", "Eva", "Ali", "Zeynep", "Mohammed", "Nora", "Olle", "Astrid",
               "Gunnar", "Britt", "Dragana", "Jonas", "Hanna", "Mats", "Linda", "Ahmed", "Elsa", "Tove", "Leo")


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str  # a glapp.accounts.models.Role value
    unit: str | None  # unit code, None = the whole company
    language: str
    description: str


USERS: tuple[DemoUser, ...] = (
    DemoUser("anna", "Anna", "Lindqvist", "owner", None, "sv", "CX lead, the whole company"),
    DemoUser("erik", "Erik", "Johansson", "analyst", None, "sv", "analyst, the whole company"),
    DemoUser("sara", "Sara", "Nilsson", "case_handler", None, "en", "case handler, the whole company (English UI)"),
    DemoUser("butikschef.umea", "Jonas", "Berg", "viewer", "butik-umea", "sv", "store manager, only Umeå Avion"),
)

# Metadata keys kept as rollup dimensions, so dashboards can break figures down by them.
ROLLUP_DIMENSIONS = ("campaign", "product", "agent", "delivery_partner")

# Typical yearly revenue per customer in SEK by segment (each customer gets 0.5–1.5 times it):
# business customers are few but worth most, which is why value-weighted NPS differs from plain.
ANNUAL_VALUE = {"private": 4800, "business": 18000, "student": 2400, "senior": 3600}
