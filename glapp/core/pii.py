"""Personal data redaction for customer comments, before anything is stored for analysis.

Structured identifiers are found by pattern AND validated (the checksums and the IBAN registry are
python-stdnum's), so ordinary numbers survive:
- personnummer / samordningsnummer: a real date (day + 60 for samordningsnummer) and the Luhn digit;
- payment cards: 13–19 digits, Luhn and a plausible issuer prefix (IIN) for that length;
- IBAN: the country's registered length and format, and the ISO 13616 mod-97 check;
- bankgiro / plusgiro: Luhn, and only next to the words bankgiro/bg/plusgiro/pg, because a
  seven-digit group is otherwise just a number;
- phone numbers: Swedish (0…, +46, 0046) and international (+cc / 00cc) shapes, with enough digits,
  not date-shaped, and not right after "order", "ärende", "booking", … (those are reference numbers).
E-mail by pattern. Street addresses and person names are best effort: Swedish street suffixes
(-gatan, -vägen, …) or English street types with a house number, postnummer + town, and names after
cues ("jag heter", "my name is", "Mvh", "handläggaren", …) or a first name from the shipped list
(common Swedish and English first names) followed by a capitalised surname.

Most comments contain neither a digit nor "@": they only pay for two regex searches and the name
scan over capitalised words.
"""

import re
from typing import NamedTuple

from stdnum import iban as stdnum_iban
from stdnum import luhn as stdnum_luhn
from stdnum.exceptions import ValidationError
from stdnum.se import personnummer as stdnum_personnummer

VERSION = "pii-4"

REPLACEMENTS = {
    "email": "[EMAIL]",
    "phone": "[PHONE]",
    "personnummer": "[PERSONNUMMER]",
    "samordningsnummer": "[SAMORDNINGSNUMMER]",
    "card": "[CARD]",
    "iban": "[IBAN]",
    "bankgiro": "[BANKGIRO]",
    "plusgiro": "[PLUSGIRO]",
    "address": "[ADDRESS]",
    "name": "[NAME]",
}
STRUCTURED_KINDS = ("email", "phone", "personnummer", "samordningsnummer", "card", "iban", "bankgiro", "plusgiro")


class PiiSpan(NamedTuple):
    start: int
    end: int
    kind: str
    replacement: str


class Redaction(NamedTuple):
    text: str
    spans: list[PiiSpan]


# ---------------------------------------------------------------- checksums and validation


def luhn_ok(digits: str) -> bool:
    return stdnum_luhn.is_valid(digits)


def luhn_digit(digits: str) -> str:
    """The check digit that makes `digits + check` Luhn-valid."""
    return stdnum_luhn.calc_check_digit(digits)


def personnummer_kind(digits: str) -> str | None:
    """'personnummer' / 'samordningsnummer' for a valid 10- or 12-digit number, else None."""
    if len(digits) not in (10, 12) or (len(digits) == 12 and not 1850 <= int(digits[:4]) <= 2099):
        return None
    day = int(digits[-6:-4])
    if day <= 60:
        return "personnummer" if stdnum_personnummer.is_valid(digits) else None
    # A samordningsnummer is the birth date with day + 60 (stdnum knows only personnummer): the date is
    # checked on the birth-date form, the Luhn digit on the number as written.
    try:
        stdnum_personnummer.get_birth_date(f"{digits[:-6]}{day - 60:02d}{digits[-4:]}")
    except ValidationError:
        return None
    return "samordningsnummer" if stdnum_luhn.is_valid(digits[-10:]) else None


def card_iin_ok(d: str) -> bool:
    n = len(d)
    p2, p3, p4 = int(d[:2]), int(d[:3]), int(d[:4])
    if d[0] == "4":  # Visa
        return n in (13, 16, 19)
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:  # Mastercard
        return n == 16
    if p2 in (34, 37):  # American Express
        return n == 15
    if 3528 <= p4 <= 3589:  # JCB
        return 16 <= n <= 19
    if 300 <= p3 <= 305 or p2 in (36, 38, 39):  # Diners
        return 14 <= n <= 19
    if p4 == 6011 or 644 <= p3 <= 649 or p2 == 65 or p2 == 62:  # Discover, UnionPay
        return 16 <= n <= 19
    if p2 == 50 or 56 <= p2 <= 69:  # Maestro
        return 12 <= n <= 19
    return False


IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20,
    "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GI": 23, "GL": 18, "GR": 27, "HR": 21, "HU": 28,
    "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18,
    "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
}  # fmt: skip


def iban_ok(iban: str) -> bool:
    # The international check only: redaction needs to know that it is an account number, not that a
    # payment to it would go through (the national checks, e.g. Norway's mod 11, are left out).
    return stdnum_iban.is_valid(iban, check_country=False)


# ---------------------------------------------------------------- patterns

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")

_IBAN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![a-z0-9])")

_PNR_RE = re.compile(r"(?<![\w+\-/.,])((?:18|19|20)?\d{6})(\s?[-+]\s?|\s)?(\d{4})(?![\w\-/]|[.,]\d)")

_CARD_RE = re.compile(r"(?<![\w+\-/.,])\d(?:[ -]?\d){12,18}(?![\w/]|[.,-]\d)")

_PHONE_SE_INTL_RE = re.compile(
    r"(?<![\w+])(?<!\d[ -])(?:\+46|0046)[ -]?(?:\(0\)[ -]?)?[1-9](?:[ -]?\d){6,9}(?![\w\-/]|[.,]\d)"
)
# Area code (0 + 1–3 digits), at most one dash/slash right after it, then digits in space-separated groups.
_PHONE_SE_RE = re.compile(r"(?<![\w+\-/.,:])(?<!\d[ -])0[1-9]\d{0,2}(?: ?[-/] ?| )?\d(?: ?\d){4,7}(?![\w\-/]|[.,:]\d)")
_PHONE_INTL_RE = re.compile(
    r"(?<![\w+])(?<!\d[ -])(?:\+|00)[1-9]\d{0,2}[ -]?(?:\(\d{1,4}\)[ -]?)?\d(?:[ -]?\d){5,12}(?![\w\-/]|[.,]\d)"
)
_PHONE_US_RE = re.compile(r"(?<![\w(])\(\d{3}\) ?\d{3}[-. ]\d{4}(?!\w)")
_DATE_INSIDE_RE = re.compile(r"\d{1,2}[-./]\d{1,2}[-./](?:19|20)?\d{2}|(?:19|20)\d{2}-\d{2}-\d{2}")

_BANKGIRO_RE = re.compile(
    r"(?i:\b(?:bankgiro\w*|bg(?:-?nr)?)\b)[^\d\n!?]{0,20}?(?<![\d-])(\d{3,4}-\d{4}|\d{7,8})(?![\w-])"
)
_PLUSGIRO_RE = re.compile(
    r"(?i:\b(?:plusgiro\w*|postgiro\w*|pg(?:-?nr)?)\b)[^\d\n!?]{0,20}?(?<![\d-])"
    r"(\d{1,2}(?: \d{2}){1,3}-\d|\d{1,7}-\d|\d{2,8})(?![\w-])"
)

# Reference numbers ("order 0701234567", "ärendenummer 19850715-1234"?) are not phone numbers or
# compact personnummer: the word right before decides.
_REFERENCE_CUE_RE = re.compile(
    r"(?i:(?:order|ordern|ordernr|ordernumm?er|order-?id|beställning\w*|ärende\w*|referens\w*|reference\w*|ref|"
    r"booking|bokning\w*|case|ticket|invoice|faktura\w*|ocr|artikel\w*|art\.?nr|artnr|tracking|"
    r"spårning\w*|kolli\w*|sändning\w*|paket\w*|flight|flyg\w*|serie\w*|serial|kvitto\w*|receipt|konto\w*)"
    r"(?:\.(?!\s+[A-ZÅÄÖ]))?[\s:#-]{0,3}(?:nr|no|nummer|number|id)?\.?[\s:#]{0,3}|#\s?)$"
)
_PHONE_CUE_RE = re.compile(
    r"(?i:tel|telefon\w*|tfn|mobil\w*|mob|phone|cell|call|ring\w*|sms|text|whatsapp|nå\w* mig|reach me)"
    r"[^\w.!?]{0,3}(?:[^\W\d]+[^\w.!?]{1,3}){0,2}$"
)

_SV_STREET = (
    r"(?:(?:[A-ZÅÄÖ][a-zåäöé]+\s)?[A-ZÅÄÖ][a-zåäöé]+(?:gatan|gata|vägen|väg|gränd|gränden|backe|backen|torget|"
    r"torg|allén|allé|stigen|leden|stråket|esplanaden|kajen|promenaden|ringen|platsen|slingan|liden|höjden)"
    r"|(?:Lilla|Stora|Västra|Östra|Norra|Södra|Gamla|Nya|Övre|Nedre)\s(?:Gatan|Vägen|Torget|Gränd|Backe|Backen|"
    r"Allén|Allé|Stigen|Kajen|Platsen|Strand|Långgatan|Hamngatan|Nygatan|Kyrkogatan)"
    r"|[a-zåäö][a-zåäöé]{2,}gatan)"
)
_SV_STREET_KEYS = (
    "gata", "väg", "gränd", "back", "torg", "allé", "stig", "led", "stråk", "esplanad", "kaj", "promenad", "ring",
    "plats", "sling", "lid", "höjd", "strand",
)  # fmt: skip
_SV_ADDRESS_RE = re.compile(
    r"(?<![\w-])" + _SV_STREET + r"\s(?:nr\.?\s?)?\d{1,4}(?:(?:[A-Za-z]|\s[A-Z])(?![\wåäöÅÄÖ]))?"
    r"(?:\s?-\s?\d{1,4})?(?!\d)"
    r"(?:,?\s?(?:lgh|lägenhet)\.?\s?\d{4})?"
    r"(?:,?\s{1,2}[1-9]\d{2}\s?\d{2}(?!\d)(?:\s{1,2}[A-ZÅÄÖ][a-zåäö]+(?:[- ][A-ZÅÄÖ][a-zåäö]+)?)?)?"
)
_POSTORT_RE = re.compile(r"(?<![\w+\-/.,])[1-9]\d{2} \d{2}\s{1,2}([A-ZÅÄÖ][a-zåäö]{2,}(?:[- ][A-ZÅÄÖ][a-zåäö]+)?)")
_POSTNUMMER_CUE_RE = re.compile(
    r"(?i:\b(?:postnummer|postnr|post code|postcode|zip(?: code)?)\W{0,3})([1-9]\d{2} ?\d{2})\b"
)
_EN_ADDRESS_RE = re.compile(
    r"(?<![\w-])\d{1,5}[A-Za-z]?,?\s(?:[A-Z][a-z]+\s){1,3}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Boulevard|Blvd|Court|Place|Way|Close|Crescent|Terrace|"
    r"Square|Sq|Gardens|Parkway|Mews|Row)\b\.?"
)

_DIGIT_RE = re.compile(r"\d")

# ---------------------------------------------------------------- names

_FIRST_NAMES_SV = """
Anna Eva Maria Karin Sara Christina Kristina Lena Emma Kerstin Marie Malin Ingrid Linda Jenny Hanna Annika
Susanne Elin Monica Monika Birgitta Sofia Johanna Inger Carina Elisabeth Julia Ulla Katarina Linnéa Linnea
Emelie Ida Helena Camilla Åsa Anneli Sandra Gunilla Anette Marianne Margareta Ebba Maja Alice Elsa Wilma
Agnes Astrid Freja Alva Ella Stella Klara Saga Ellen Lova Nora Frida Matilda Amanda Therese Jessica Cecilia
Caroline Josefin Louise Lisa Moa Tove Felicia Lina Mia Pia Lotta Charlotte Petra Rebecka Madeleine Ylva
Siv Britt Agneta Ann Anne Barbro Yvonne Helén Viktoria Victoria Jennifer Sanna Tina Nina Erika Veronica
Mikaela Fredrika Lovisa Tilda Tyra Selma Signe Vera Olivia Hedvig Ingela Lisbeth Märta Sofie Emilia
Elvira Majken Annelie Jeanette Marita Mona Eleonor Liv Elina Minna Sofi Hillevi Kajsa Karolina Malva
Lars Mikael Anders Johan Erik Per Karl Peter Jan Thomas Daniel Fredrik Hans Andreas Stefan Mats Marcus
Markus Magnus Mattias Jonas Niklas Björn Bengt Sven Nils Martin Henrik Patrik Oskar Oscar Alexander
Christer Kjell Bo Ulf Gustav Gustaf Göran Leif Lennart Tommy Anton Emil Viktor Simon Jonathan Robin
Sebastian Filip Axel Hugo William Lucas Liam Elias Noah Oliver Adam Olle Isak Ludvig Albin Linus Jesper
Joakim Kristoffer Christoffer Rasmus Tobias Robert Roger Rolf Roland Kent Conny Kenneth Ola Ove Åke
Ingvar Sten Stig Torbjörn Arne Gunnar Olof Jörgen Håkan Claes Carl Dan Jimmy Pontus Rickard Richard
Tomas Ulrik Sixten Vincent Melvin Theo Leo Arvid Valter Malte Edvin Hampus Jakob Jacob Max Mohammed
Mohammad Ali Ahmed Omar Hassan Jens Kalle Pelle Janne Micke Jocke Kim Sami Tor Einar Torsten Birger
"""
_FIRST_NAMES_EN = """
James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew Anthony
Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward Jason Jeffrey Ryan
Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Frank
Alexander Raymond Patrick Jack Dennis Jerry Tyler Aaron Jose Adam Henry Nathan Douglas Zachary Peter Kyle
Walter Ethan Jeremy Harold Keith Christian Roger Noah Gerald Carl Terry Sean Austin Arthur Lawrence Jesse
Dylan Bryan Joe Jordan Billy Bruce Albert Gabriel Logan Alan Juan Wayne Roy Ralph Randy Eugene Vincent
Russell Elijah Louis Bobby Philip Johnny Mike Tom Chris Dave Steve Tony Jim Bob Tim Matt Ben Sam Nick
Alex Greg Jeff Jon Josh Andy Rob Bill Harry Oliver Charlie Jake Luke Mason Lucas Kate Katie Jenny
Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Nancy Lisa Betty Margaret Sandra
Ashley Kimberly Emily Donna Michelle Dorothy Carol Amanda Melissa Deborah Stephanie Rebecca Sharon Laura
Cynthia Kathleen Amy Shirley Angela Helen Brenda Pamela Nicole Emma Samantha Katherine Christine Rachel
Catherine Carolyn Janet Ruth Heather Diane Virginia Julie Joyce Olivia Kelly Lauren Joan Evelyn Judith
Megan Cheryl Andrea Hannah Martha Jacqueline Frances Gloria Teresa Kathryn Janice Jean Madison Doris
Abigail Judy Grace Denise Amber Marilyn Beverly Danielle Theresa Sophia Diana Brittany Natalie Isabella
Rose Alexis Kayla Sue Liz Beth Amelia Ava Chloe Lily Zoe Ellie Lucy Sophie Holly Claire Fiona Gemma
"""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


FIRST_NAMES = _words(_FIRST_NAMES_SV) | _words(_FIRST_NAMES_EN)
_FIRST_NAMES_LOWER = frozenset(n.casefold() for n in FIRST_NAMES)
# First names that are also brands, places, months or ordinary words: redacted only after a cue or
# before a surname-shaped word.
AMBIGUOUS_FIRST_NAMES = _words(
    """
    Max Sofia Victoria Viktoria Siri Will Bill Mark Frank Grace Rose Jack Per Bo Stig Sten Björn Tom Klara Amber
    Holly Lily Chelsea Jordan Austin Christian Virginia Ben Dan Nick Rob Jean Ali Carl Kent Roy Ray Sam Vera
    Liv Tor Kim Mona Saga Signe Tyra Ruth Joy Hope Ella Olle Lucas Patrick Bob Kalle Pelle Andy Billy Jim Alice
    Jenny Tina Nina Mia Pia Ida Lina Ann Anne Hans Jan Eva Charlotte Douglas Eugene Madison Jose Juan Florence
    Lincoln Jackson Orlando Georgia Carolina Dallas Phoenix Sydney Jersey Angela Logan Lova Carol Sue
    Heather Sten Nora Melvin Inger"""
)
_SURNAME_ENDINGS = (
    "son", "sen", "berg", "ström", "lund", "qvist", "quist", "kvist", "gren", "dahl", "holm", "ling", "lin",
    "man", "mann", "ell", "ius", "ér", "ander", "stedt", "borg", "feldt", "hed", "ek", "blad", "sjö", "nen",
    "ez", "ski", "ton", "ley", "er", "ford", "well", "wood", "ham", "by", "ins", "ams", "ith",
)  # fmt: skip
_STRONG_SURNAME_ENDINGS = ("sson", "berg", "ström", "qvist", "quist", "kvist", "gren", "lund", "holm", "dahl", "stedt")
# Capitalised words that are not first names: places and brands. Many are surnames too ("Lund",
# "Ericsson"), so right after a listed first name they are read as one ("Anna Lund").
_PLACES_AND_BRANDS = _words(
    """
    Stockholm Göteborg Gothenburg Malmö Uppsala Västerås Örebro Linköping Helsingborg Jönköping Norrköping
    Lund Umeå Gävle Borås Södertälje Eskilstuna Halmstad Växjö Karlstad Sundsvall Luleå Kiruna Visby Kalmar
    Falun Östersund Sverige Sweden Norge Norway Danmark Denmark Finland Europa Europe London Paris Berlin Oslo
    Köpenhamn Copenhagen Helsinki Helsingfors New York Boston Chicago Dallas Denver Houston Washington
    Florida Texas California Arlanda Kastrup Landvetter Bromma Heathrow Gatwick Newark Atlanta Vegas
    Ica Coop Willys Hemköp Lidl Ikea Volvo Saab Scania Ericsson Telia Tele2 Telenor Tre Comviq Halebop
    Spotify Klarna Swish BankID Nordea Swedbank Handelsbanken SEB Danske SAS Norwegian Ryanair Lufthansa
    Finnair KLM United Delta American Southwest JetBlue Virgin Apple Google Microsoft Samsung Amazon Netflix
    Zalando Elgiganten Biltema Jula Postnord PostNord DHL UPS Bring Budbee Instabox Airmee SJ SL Västtrafik
    Skånetrafiken Burgers Burger King Espresso House Pressbyrån Lindex KappAhl Stadium Intersport Apoteket
    Kronans Ohlson Systembolaget Vattenfall Fortum Folksam Skandia Länsförsäkringar Airlines Airways Air Express"""
)
# Capitalised words that are never part of a name: days, months, sentence and greeting words.
_NEVER_NAMES = _words(
    """
    Måndag Tisdag Onsdag Torsdag Fredag Lördag Söndag Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    Januari Februari Mars April Maj Juni Juli Augusti September Oktober November December January February
    March May June July August October Jul Påsk Midsommar Christmas Easter
    Jag Du Han Hon Vi Ni De Den Det Och Men Eller Så Att Som Är Var Har Hade Tack Hej Bra Mycket Inte
    Kundtjänst Kundservice Service Support Appen App Hemsidan Butiken Personalen Leveransen Ordern Fakturan
    The And But Or So I You He She We They It This That Thanks Thank Hi Hello Great Good Very Customer
    Mvh Hälsningar Regards Best Kind Sincerely Cheers Sent From Skickat Från iPhone Android My Your Our His Her
    Their Swedish English Svensk Svenska Engelska Min Mitt Mina Din Ditt Er Ert Vår Vårt"""
)
_NOT_NAMES = _PLACES_AND_BRANDS | _NEVER_NAMES

# After "jag heter" even a place name is a surname ("Karin Lund"), but not a sentence word.
_FUNCTION_WORDS = _words(
    """Jag Du Han Hon Vi Ni De Den Det Och Men Eller Så Att Som Är Var Har Hade Tack Hej The And But Or So I You He
    She We They It This That Thanks Hi My Your Min Mitt"""
)
_CAPWORD_RE = re.compile(r"(?<![\w-])[A-ZÅÄÖÉ][a-zåäöéüæø]+(?:-[A-ZÅÄÖ][a-zåäöéü]+)?(?![\w-])")
_SURNAME_AFTER_RE = re.compile(r"[ \t]{1,2}([A-ZÅÄÖÉ][a-zåäöéüæø]+(?:-[A-ZÅÄÖ][a-zåäöéü]+)?|[A-Z]\.?)(?![\w-])")
_STRONG_CUE_RE = re.compile(
    r"(?i:\b(?:jag heter|jag hette|heter|hette|mitt namn är|my name is|my name's|named|"
    r"handläggaren|handläggare|medarbetaren|säljaren|kundtjänstmedarbetaren|agent|agenten|agents|"
    r"representative|rep|mvh|m\.v\.h|med vänlig hälsning|med vänliga hälsningar|vänliga hälsningar|"
    r"vänlig hälsning|hälsningar|hälsning|kind regards|best regards|regards|sincerely|best wishes|cheers)"
    r"|\b(?i:mvh|m\.v\.h)\.)[ \t]*[,:]?\s{0,3}$"
)
_STRONG_CUE_KEYS = (
    "heter", "hette", "namn", "name", "handläggar", "medarbetar", "säljar", "agent", "rep", "mvh", "m.v.h",
    "hälsning", "regards", "sincerely", "wishes", "cheers",
)  # fmt: skip
_WEAK_CUE_RE = re.compile(
    r"(?i:\b(?:tack till|tack|thanks to|thanks|thank you|pratade med|talade med|hjälp av|hjälpt av|"
    r"spoke to|spoke with|talked to|helped by|med|with|from|från|ask for|fråga efter))[ \t]*[,:]?[ \t]*$"
)
# Place names and idioms built on first names: "San Jose", "St George", "Bloody Mary".
_NOT_NAME_BEFORE_RE = re.compile(r"\b(?:San|Santa|St\.?|Saint|Sankt|Port|Fort|Lake|Mount|Cape|Bloody|Hail)\s$")
# Cues that introduce a person, so an unlisted capitalised pair after them is a name ("tack till Kerttu
# Öberg"); "med"/"with"/"from" are not among them: they precede brands and places as often.
_PERSON_CUE_RE = re.compile(
    r"(?i:\b(?:tack till|thanks to|thank you|pratade med|talade med|hjälp av|hjälpt av|fick hjälp av|"
    r"spoke to|spoke with|talked to|helped by|ask for|asked for|fråga efter|kollega|colleague))[ \t]*[,:]?[ \t]*$"
)


def _surname_like(word: str) -> bool:
    return word.casefold().endswith(_SURNAME_ENDINGS)


def _names(text: str, spans: list[tuple[int, int, str]]) -> None:
    # Most comments contain no strong cue at all: one substring test per cue saves a regex per word.
    low = text.casefold()
    cues_present = any(k in low for k in _STRONG_CUE_KEYS)
    for m in _CAPWORD_RE.finditer(text):
        word = m.group()
        if word in _NOT_NAMES:
            continue
        start, end = m.start(), m.end()
        before = text[max(0, start - 40) : start]
        if _NOT_NAME_BEFORE_RE.search(before[-9:]):
            continue
        first = word.split("-")[0]
        strong = cues_present and _STRONG_CUE_RE.search(before) is not None
        known = first in FIRST_NAMES
        if not known and not strong:
            # "tack till Kerttu Öberg", "Folke Lindqvist": an unlisted first name needs a cue or a
            # clearly Swedish surname after it.
            nxt = _SURNAME_AFTER_RE.match(text, end)
            if (
                nxt
                and len(nxt.group(1)) > 2
                and nxt.group(1) not in _NOT_NAMES
                and (nxt.group(1).endswith(_STRONG_SURNAME_ENDINGS) or _PERSON_CUE_RE.search(before))
            ):
                _add(spans, start, nxt.end(), "name")
            continue
        # A second first name and/or a surname may follow: "Anna Karin Svensson", "Erik S."
        surname = False
        nxt = _SURNAME_AFTER_RE.match(text, end)
        # After a first name a place or brand is a surname ("Anna Lund", "Maria Ericsson"), so the
        # person is not left half-named ("[NAME] Lund"); after one that is also a word ("Per",
        # "Eva") only if it is shaped like a Swedish surname ("Per Lund", not "Per Telia").
        candidate = nxt.group(1) if nxt else ""
        if candidate in _PLACES_AND_BRANDS and first in AMBIGUOUS_FIRST_NAMES:
            possible = candidate.casefold().endswith(_STRONG_SURNAME_ENDINGS)
        else:
            possible = candidate not in _NEVER_NAMES
        if nxt and (possible or (strong and candidate not in _FUNCTION_WORDS)):
            word2 = nxt.group(1)
            end2 = nxt.end()
            if word2 in FIRST_NAMES:
                nxt2 = _SURNAME_AFTER_RE.match(text, end2)
                if nxt2 and nxt2.group(1) not in _NOT_NAMES and nxt2.group(1) not in FIRST_NAMES:
                    end2 = nxt2.end()
            if first not in AMBIGUOUS_FIRST_NAMES or _surname_like(word2) or strong:
                surname = True
                end = end2
        if not surname:
            # A listed first name that is no ordinary word is a name also where a sentence starts
            # ("Adam var jättehjälpsam", "Johan i kassan ..."): staff are named there as often as
            # anywhere. One that is also a word ("Per", "Klara", "Will") needs a cue.
            weak = _WEAK_CUE_RE.search(before) is not None
            if not (strong or weak) and first in AMBIGUOUS_FIRST_NAMES:
                continue
        _add(spans, start, end, "name")
    # Lower-case names right after "jag heter" / "my name is": "jag heter anna"
    if "heter" in text or "name is" in text:
        for m in _LOWER_NAME_RE.finditer(text):
            if m.group(1) in _FIRST_NAMES_LOWER:
                _add(spans, m.start(1), m.end(1), "name")


_LOWER_NAME_RE = re.compile(r"(?i:\b(?:jag heter|my name is))\s+([a-zåäöé]+)\b")


# ---------------------------------------------------------------- assembly


def _add(spans: list[tuple[int, int, str]], start: int, end: int, kind: str) -> bool:
    """Keep the first detector's claim on a region; kind "blocked" claims a region for no output."""
    for s, e, _ in spans:
        if start < e and s < end:
            return False
    spans.append((start, end, kind))
    return True


def _reference_before(text: str, start: int) -> bool:
    return _REFERENCE_CUE_RE.search(text[max(0, start - 30) : start]) is not None


def _phone_ok(text: str, start: int, digits: str, match: str, needs: tuple[int, int]) -> bool:
    if not needs[0] <= len(digits) <= needs[1] or _DATE_INSIDE_RE.search(match):
        return False
    if _reference_before(text, start):
        return _PHONE_CUE_RE.search(text[max(0, start - 40) : start]) is not None
    return True


def _trim_lone_digit(text: str, start: int, end: int, min_digits: int) -> int:
    """ "08-123 45 67 2 gånger": a last group of one digit after a space is a separate number."""
    if (
        end - start > 3
        and text[end - 2] == " "
        and text[end - 1].isdigit()
        and sum(ch.isdigit() for ch in text[start : end - 2]) >= min_digits
    ):
        return end - 2
    return end


def _structured(text: str, spans: list[tuple[int, int, str]]) -> None:
    pos = 0
    while (m := _IBAN_RE.search(text, pos)) is not None:
        pos = _iban(m, spans)  # rescans after a valid IBAN: the pattern may have run into the next one
    for m in _PNR_RE.finditer(text):
        digits = m.group(1) + m.group(3)
        sep = m.group(2)
        if not sep:
            if len(digits) == 10 and digits.startswith(("070", "072", "073", "076", "079", "08")):
                continue  # compact and phone-shaped: left to the phone patterns
            if _reference_before(text, m.start()):
                continue
        kind = personnummer_kind(digits)
        if kind:
            _add(spans, m.start(), m.end(), kind)
    for m in _CARD_RE.finditer(text):
        _card(text, m, spans)
    for m in _PHONE_SE_INTL_RE.finditer(text):
        end = _trim_lone_digit(text, m.start(), m.end(), 9)
        digits = re.sub(r"\D", "", text[m.start() : end])
        if _phone_ok(text, m.start(), digits, m.group(), (9, 13)):
            _add(spans, m.start(), end, "phone")
    for m in _PHONE_INTL_RE.finditer(text):
        end = _trim_lone_digit(text, m.start(), m.end(), 8)
        digits = re.sub(r"\D", "", text[m.start() : end])
        # Without the 00 prefix at least 9 digits: "0016 964012" is a baggage tag, not a phone number.
        if _phone_ok(text, m.start(), digits.removeprefix("00"), m.group(), (9, 15)):
            _add(spans, m.start(), end, "phone")
    for m in _PHONE_SE_RE.finditer(text):
        end = _trim_lone_digit(text, m.start(), m.end(), 9)
        digits = re.sub(r"\D", "", text[m.start() : end])
        if _phone_ok(text, m.start(), digits, m.group(), (9, 10)):
            _add(spans, m.start(), end, "phone")
    if "(" in text:
        for m in _PHONE_US_RE.finditer(text):
            _add(spans, m.start(), m.end(), "phone")
    # The remaining patterns need a word that is cheap to test for first.
    low = text.casefold()
    if "giro" in low or "bg" in low:
        for m in _BANKGIRO_RE.finditer(text):
            digits = m.group(1).replace("-", "")
            if luhn_ok(digits):
                _add(spans, m.start(1), m.end(1), "bankgiro")
    if "giro" in low or "pg" in low:
        for m in _PLUSGIRO_RE.finditer(text):
            digits = m.group(1).replace("-", "").replace(" ", "")
            if 2 <= len(digits) <= 8 and luhn_ok(digits):
                _add(spans, m.start(1), m.end(1), "plusgiro")
    if any(k in low for k in _SV_STREET_KEYS):
        for m in _SV_ADDRESS_RE.finditer(text):
            _add(spans, m.start(), m.end(), "address")
    for m in _EN_ADDRESS_RE.finditer(text):
        _add(spans, m.start(), m.end(), "address")
    for m in _POSTORT_RE.finditer(text):
        if m.group(1) not in _NOT_POSTORT:
            _add(spans, m.start(), m.end(), "address")
    if "post" in low or "zip" in low:
        for m in _POSTNUMMER_CUE_RE.finditer(text):
            _add(spans, m.start(1), m.end(1), "address")


_NOT_POSTORT = _words("Kr Kronor Sek Euro Dollar St Stycken Timmar Minuter Dagar")


def _iban(m: re.Match, spans: list[tuple[int, int, str]]) -> int:
    raw = m.group()
    # Positions of alphanumerics, so a valid prefix (the country's length) can be cut out exactly.
    pos = [i for i, ch in enumerate(raw) if ch != " "]
    compact = raw.replace(" ", "")
    lengths = [IBAN_LENGTHS[compact[:2]]] if compact[:2] in IBAN_LENGTHS else range(len(compact), 14, -1)
    for n in lengths:
        if n <= len(compact) and iban_ok(compact[:n]):
            end = m.start() + pos[n - 1] + 1
            _add(spans, m.start(), end, "iban")
            return end
    if compact[:2] in IBAN_LENGTHS and len(compact) >= IBAN_LENGTHS[compact[:2]]:
        # IBAN-shaped but failing the check: its digit groups are not phone or card numbers either.
        _add(spans, m.start(), m.end(), "blocked")
    return m.end()


def _card(text: str, m: re.Match, spans: list[tuple[int, int, str]]) -> None:
    if _reference_before(text, m.start()):
        return
    raw = m.group()
    groups = re.split(r"[ -]", raw)
    # Try the whole run, then without a short last group: "4111 1111 1111 1111 2 st" glues a quantity on.
    for k in range(len(groups), 0, -1):
        digits = "".join(groups[:k])
        if len(digits) < 13 or (k < len(groups) and len(groups[k]) > 2):
            break
        if len(digits) <= 19 and luhn_ok(digits) and card_iin_ok(digits):
            length = len(" ".join(groups[:k]))
            _add(spans, m.start(), m.start() + length, "card")
            return
    if len(groups) >= 3 and all(len(g) == 4 for g in groups[:-1]):
        # Card-shaped but invalid: its groups must not be read as a phone number either.
        _add(spans, m.start(), m.end(), "blocked")


def find(text: str, language: str = "auto") -> list[PiiSpan]:
    """Personal data spans in `text`, sorted by position (language is accepted for the interface)."""
    spans: list[tuple[int, int, str]] = []
    if "@" in text:
        for m in _EMAIL_RE.finditer(text):
            _add(spans, m.start(), m.end(), "email")
    if _DIGIT_RE.search(text):
        _structured(text, spans)
    _names(text, spans)
    spans.sort()
    return [PiiSpan(s, e, k, REPLACEMENTS[k]) for s, e, k in spans if k != "blocked"]


def redact(text: str, language: str = "auto") -> Redaction:
    spans = find(text, language)
    if not spans:
        return Redaction(text, spans)
    out = []
    last = 0
    for span in spans:
        out.append(text[last : span.start])
        out.append(span.replacement)
        last = span.end
    out.append(text[last:])
    return Redaction("".join(out), spans)
