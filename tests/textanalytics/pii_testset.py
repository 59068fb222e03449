"""A labelled test set for personal data redaction, generated with a fixed seed.

Ordinary Swedish and English customer comments (written for this generator) with embedded
identifiers, each labelled with its kind and character span, and with decoys: ordinary numbers
that must survive (order numbers, phone-shaped order numbers, prices, dates, times, quantities,
percentages, flight numbers, years) and checksum-invalid personnummer, cards and IBANs.

Identifiers are constructed, never real: personnummer/samordningsnummer get a random valid date
and a computed Luhn digit, cards a random body behind a real issuer prefix and a Luhn digit, IBANs
a random BBAN and computed mod-97 check digits. (They are not from Skatteverket's published test
ranges; being generated, some may coincide with real numbers, which is why none is stored.)

Names and addresses are best effort: first names are drawn partly from names that are NOT in the
detector's list, so their recall is not a tautology.

    generate(seed=0, n=3000) -> list[Example]
    score(examples, find) -> dict of figures (used by the tests and benchmarks/pii_eval.py)
"""

import datetime as dt
import random
from typing import NamedTuple

from glapp.core.pii import STRUCTURED_KINDS, luhn_digit


def _words(text: str) -> list[str]:
    return text.split()


class Example(NamedTuple):
    text: str
    language: str
    labels: list[tuple[int, int, str]]  # personal data: (start, end, kind)
    decoys: list[tuple[int, int, str]]  # must not be redacted: (start, end, decoy kind)


# ---------------------------------------------------------------- identifiers


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _date(rng: random.Random, first_year: int = 1935, last_year: int = 2006) -> dt.date:
    start = dt.date(first_year, 1, 1).toordinal()
    end = dt.date(last_year, 12, 31).toordinal()
    return dt.date.fromordinal(rng.randint(start, end))


def personnummer(rng: random.Random, samordning: bool = False, valid: bool = True) -> str:
    d = _date(rng)
    day = d.day + (60 if samordning else 0)
    body = f"{d.year % 100:02d}{d.month:02d}{day:02d}{_digits(rng, 3)}"
    check = luhn_digit(body)
    if not valid:
        check = str((int(check) + rng.randint(1, 9)) % 10)
    ten = body + check
    fmt = rng.random()
    if fmt < 0.45:
        return f"{ten[:6]}-{ten[6:]}"
    if fmt < 0.65:
        return f"{d.year // 100}{ten[:6]}-{ten[6:]}"
    if fmt < 0.8:
        return f"{d.year // 100}{ten}"
    if fmt < 0.92:
        return ten
    return f"{ten[:6]} {ten[6:]}"


_CARD_PREFIXES = [("4", 16), ("4", 16), ("4", 16), ("51", 16), ("53", 16), ("55", 16), ("2221", 16), ("2720", 16),
                  ("34", 15), ("37", 15), ("6011", 16), ("65", 16), ("3530", 16), ("4", 13), ("62", 19)]  # fmt: skip


def card(rng: random.Random, valid: bool = True) -> str:
    prefix, length = rng.choice(_CARD_PREFIXES)
    body = prefix + _digits(rng, length - len(prefix) - 1)
    check = luhn_digit(body)
    if not valid:
        check = str((int(check) + rng.randint(1, 9)) % 10)
    number = body + check
    sep = rng.choice([" ", " ", "-", ""])
    groups = [number[i : i + 4] for i in range(0, length, 4)]
    if length == 15:  # American Express: 4-6-5
        groups = [number[:4], number[4:10], number[10:]]
    return sep.join(groups)


_IBAN_BBAN = {"SE": (20, 0.6), "DE": (18, 0.08), "GB": (18, 0.08), "NO": (11, 0.06), "DK": (14, 0.06),
              "FI": (14, 0.06), "NL": (14, 0.06)}  # fmt: skip


def _iban_check(country: str, bban: str) -> str:
    numeric = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{98 - int(numeric) % 97:02d}"


def iban(rng: random.Random, valid: bool = True) -> str:
    countries = list(_IBAN_BBAN)
    country = rng.choices(countries, weights=[w for _, w in _IBAN_BBAN.values()])[0]
    length = _IBAN_BBAN[country][0]
    if country in ("GB", "NL"):  # bank code letters
        bban = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + _digits(rng, length - 4)
    else:
        bban = _digits(rng, length)
    check = _iban_check(country, bban)
    if not valid:
        check = f"{(int(check) + rng.randint(1, 50)) % 97 + 2:02d}"
    compact = country + check + bban
    if rng.random() < 0.7:
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    return compact


def bankgiro(rng: random.Random) -> str:
    n = rng.choice([7, 8])
    body = str(rng.randint(1, 9)) + _digits(rng, n - 2)
    number = body + luhn_digit(body)
    return f"{number[:-4]}-{number[-4:]}" if rng.random() < 0.85 else number


def plusgiro(rng: random.Random) -> str:
    n = rng.randint(5, 8)
    body = str(rng.randint(1, 9)) + _digits(rng, n - 2)
    number = body + luhn_digit(body)
    if rng.random() < 0.3 and n >= 6:
        head = number[:-1]
        groups = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        groups.insert(0, head)
        return " ".join(groups) + "-" + number[-1]
    return f"{number[:-1]}-{number[-1]}"


def phone(rng: random.Random) -> str:
    r = rng.random()
    mobile = "07" + rng.choice("02369")
    sub = _digits(rng, 7)
    if r < 0.25:
        return f"{mobile}-{sub[:3]} {sub[3:5]} {sub[5:]}"
    if r < 0.35:
        return f"{mobile}{sub}"
    if r < 0.42:
        return f"{mobile} {sub[:3]} {sub[3:5]} {sub[5:]}"
    if r < 0.48:
        return f"{mobile}-{sub}"
    if r < 0.58:
        return f"+46 {mobile[1:]} {sub[:3]} {sub[3:5]} {sub[5:]}"
    if r < 0.63:
        return f"+46{mobile[1:]}{sub}"
    if r < 0.67:
        return f"0046 {mobile[1:]}-{sub[:3]} {sub[3:5]} {sub[5:]}"
    if r < 0.75:
        s = _digits(rng, 7 + rng.randint(0, 1))
        return f"08-{s[:3]} {s[3:5]} {s[5:]}" if len(s) == 7 else f"08-{s[:3]} {s[3:6]} {s[6:]}"
    if r < 0.8:
        area = rng.choice(["031", "040", "018", "013", "090", "0910", "0470"])
        s = _digits(rng, 10 - len(area))
        return f"{area}-{s[:-4]} {s[-4:-2]} {s[-2:]}"
    return rng.choice(
        [
            lambda: f"+44 20 {_digits(rng, 4)} {_digits(rng, 4)}",
            lambda: f"+1 {rng.randint(201, 989)} {rng.randint(200, 999)} {_digits(rng, 4)}",
            lambda: f"+47 {rng.choice('49')}{_digits(rng, 2)} {_digits(rng, 2)} {_digits(rng, 3)}",
            lambda: f"+49 30 {_digits(rng, 8)}",
            lambda: f"+358 40 {_digits(rng, 3)} {_digits(rng, 4)}",
            lambda: f"0047 {rng.choice('49')}{_digits(rng, 2)} {_digits(rng, 2)} {_digits(rng, 3)}",
            lambda: f"+45 {_digits(rng, 2)} {_digits(rng, 2)} {_digits(rng, 2)} {_digits(rng, 2)}",
        ]
    )()


_FIRST = _words(
          "Anna Erik Maria Johan Karin Lars Sara Anders Emma Mikael Elin Peter Linnea Fredrik Ebba Oskar Malin Henrik "
          "Ylva Gunnar John Mary David Sarah Michael Laura James Emily Robert Jessica Thomas "
          # not in the detector's list:
          "Annika-Lena Hjalmar Gudrun Folke Ronja Dagny Tuva Bertil Ragnar Solveig Svea Kerttu Nadia Yusuf Leila "
          "Aleksandra Priya Callum Declan Imogen Nigel Rhys")  # fmt: skip
_LAST = _words("Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson Lindberg "
         "Lindqvist Björk Bergman Holm Sjögren Öberg Ekström Wallin Nyström Hedlund Smith Johnson Brown Taylor "
         "Wilson Walker Wright Green Hughes Clarke Lehtonen Kowalski Haddad Novak Moreau")  # fmt: skip
_STREETS_SV = _words("Storgatan Drottninggatan Kungsgatan Sveavägen Hornsgatan Götgatan Vasagatan Odengatan Ringvägen "
               "Björkvägen Tallstigen Ekbacken Skolgatan Järnvägsgatan Stora Nygatan Lilla Torget Kyrkogatan "
               "Östra Hamngatan Västra Vägen Parkvägen Linnégatan Åsgränd")  # fmt: skip
_STREETS_SV_2 = {
    "Stora": "Stora Nygatan", "Lilla": "Lilla Torget", "Östra": "Östra Hamngatan", "Västra": "Västra Vägen"
}  # fmt: skip
_TOWNS = _words("Stockholm Göteborg Malmö Uppsala Umeå Lund Visby Kiruna Solna Sundbyberg Nacka Mölndal")
_STREETS_EN = _words("Baker Oxford Church High Park Station Victoria Mill Elm Maple Oak Cedar")
_TYPES_EN = _words("Street St Road Rd Avenue Ave Lane Drive Close Way")


def address(rng: random.Random, language: str) -> str:
    if language == "en":
        num = f"{rng.randint(1, 400)}{rng.choice(['', '', '', 'B', 'A'])}"
        return f"{num} {rng.choice(_STREETS_EN)} {rng.choice(_TYPES_EN)}"
    street = rng.choice(_STREETS_SV)
    if street in _STREETS_SV_2:
        street = _STREETS_SV_2[street]
    elif street in ("Nygatan", "Torget", "Hamngatan", "Vägen"):
        street = "Storgatan"
    num = f"{rng.randint(1, 120)}{rng.choice(['', '', '', 'B', 'A', ' C'])}"
    r = rng.random()
    if r < 0.5:
        return f"{street} {num}"
    postnr = f"{rng.randint(100, 999)} {rng.randint(0, 99):02d}"
    if r < 0.85:
        return f"{street} {num}, {postnr} {rng.choice(_TOWNS)}"
    return f"{street} {num} {postnr} {rng.choice(_TOWNS)}"


def email(rng: random.Random) -> str:
    first = rng.choice(_FIRST).lower().replace("ö", "o").replace("-", "")
    last = rng.choice(_LAST).lower().replace("ö", "o").replace("ä", "a").replace("å", "a")
    local = rng.choice([f"{first}.{last}", f"{first}{rng.randint(1, 99)}", f"{first[0]}{last}", f"{first}_{last}",
                        f"{first}+kund@", f"{last}.{first}"]).rstrip("@")  # fmt: skip
    domain = rng.choice(["gmail.com", "hotmail.se", "outlook.com", "telia.com", "bredband.net", "example.se",
                         "foretaget.se", "mail.example.co.uk", "yahoo.com", "icloud.com"])  # fmt: skip
    return f"{local}@{domain}"


def name(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


_MAKERS = {
    "email": lambda rng, lang: email(rng),
    "phone": lambda rng, lang: phone(rng),
    "personnummer": lambda rng, lang: personnummer(rng),
    "samordningsnummer": lambda rng, lang: personnummer(rng, samordning=True),
    "card": lambda rng, lang: card(rng),
    "iban": lambda rng, lang: iban(rng),
    "bankgiro": lambda rng, lang: bankgiro(rng),
    "plusgiro": lambda rng, lang: plusgiro(rng),
    "address": address,
    "name": lambda rng, lang: name(rng),
}

# ---------------------------------------------------------------- sentences

_PII_TEMPLATES = {
    "sv": {
        "email": ["Mejla mig på {x} istället.", "Min e-post är {x}", "Svara gärna till {x} tack!", "({x})"],
        "phone": ["Ring mig på {x}.", "Mitt nummer är {x}", "Ni når mig på {x} efter lunch.", "Tel: {x}",
                  "Kan ni ringa {x}?"],
        "personnummer": ["Mitt personnummer är {x}.", "Personnr: {x}", "pnr {x} om ni behöver",
                         "Jag uppgav {x} i kassan men det blev fel ändå.", "Fakturan gäller {x}."],
        "samordningsnummer": ["Mitt samordningsnummer är {x}.", "Samordningsnr {x}", "Jag har {x} som nummer."],
        "card": ["Ni drog pengar två gånger från kortet {x}.", "Kortnummer {x}",
                 "Betalade med {x} men fick ingen kvittens."],
        "iban": ["Återbetala till {x} tack.", "Mitt konto: {x}", "IBAN {x}"],
        "bankgiro": ["Jag betalade till bankgiro {x} som det stod.", "Betalt till BG {x}.", "Bankgironummer: {x}",
                     "Inbetalningen gick till bg {x}, varför syns den inte?"],
        "plusgiro": ["Jag betalade till plusgiro {x}.", "PG {x} enligt fakturan.", "Plusgironummer {x}"],
        "address": ["Jag bor på {x} och paketet kom aldrig.", "Leverera till {x} nästa gång.",
                    "Budet lämnade paketet på {x} hos grannen.", "Adress: {x}"],
        "name": ["Mvh {x}", "Jag heter {x} och är kund sedan länge.", "Handläggaren {x} var jättebra.",
                 "Tack till {x} som hjälpte mig!", "Jag pratade med {x} i telefon.", "{x} i kassan var trevlig.",
                 "Hälsningar\n{x}"],
    },
    "en": {
        "email": ["Please email me at {x}.", "My email is {x}", "Reply to {x} thanks"],
        "phone": ["Call me on {x}.", "My number is {x}", "You can reach me at {x} after 5pm.", "Phone: {x}"],
        "personnummer": ["My Swedish personal number is {x}.", "personnummer {x}", "ID {x} was rejected."],
        "samordningsnummer": ["My coordination number is {x}.", "samordningsnummer {x}"],
        "card": ["You charged my card {x} twice.", "Card number: {x}", "Paid with {x} and got no receipt."],
        "iban": ["Please refund to {x}.", "IBAN: {x}", "My account is {x}"],
        "bankgiro": ["I paid to bankgiro {x}.", "Paid to BG {x} last week."],
        "plusgiro": ["I paid to plusgiro {x}.", "PG {x} per the invoice."],
        "address": ["I live at {x} and the parcel never came.", "Deliver to {x} next time.", "Address: {x}"],
        "name": ["Regards, {x}", "My name is {x} and I have been a customer for years.", "Agent {x} was very helpful.",
                 "Thanks to {x} who sorted it out!", "I spoke to {x} on the phone.", "{x} at the desk was lovely.",
                 "Kind regards\n{x}"],
    },
}  # fmt: skip

_ORDINARY = {
    "sv": [
        "Väntetiden i telefon var alldeles för lång.", "Personalen var trevlig och hjälpsam.",
        "Leveransen kom i tid men paketet var trasigt.", "Fakturan var fel två månader i rad.",
        "Appen kraschar hela tiden.", "Bra service, kommer tillbaka!", "Ingen svarade på mina mejl.",
        "Jag är mycket besviken på Telia i Stockholm.", "Handlade på Ica Maxi i Malmö.", "Toppen!",
        "Priserna har höjts utan förvarning.", "Det tog lång tid att få svar från kundtjänst.",
        "Returen var krånglig och ingen kunde förklara varför.", "Snabb leverans med Postnord, tack.",
    ],
    "en": [
        "The wait on the phone was far too long.", "Staff were friendly and helpful.",
        "Delivery was on time but the box was damaged.", "The invoice was wrong two months in a row.",
        "The app keeps crashing.", "Great service, will come back!", "Nobody answered my emails.",
        "I flew Norwegian from London to Oslo.", "Bought it at the Apple store in New York.", "Lovely!",
        "Prices went up without notice.", "Customer service took ages to reply.",
    ],
}  # fmt: skip


def _decoy(rng: random.Random, lang: str) -> tuple[str, str, str]:
    """(template with {d}, value, decoy kind): numbers that are not personal data."""
    kind = rng.choice(["order", "order", "phone_like_order", "price", "price", "date", "time", "quantity",
                       "percent", "flight", "year", "invalid_personnummer", "invalid_card", "invalid_iban",
                       "giro_without_context", "long_reference"])  # fmt: skip
    sv = lang == "sv"
    if kind == "order":
        v = rng.choice([_digits(rng, 8), f"{_digits(rng, 4)}-{_digits(rng, 4)}", str(rng.randint(10**9, 10**10 - 1)),
                        _digits(rng, 6), f"{rng.randint(100, 999)}-{_digits(rng, 7)}"])  # fmt: skip
        t = rng.choice(["Ordernummer {d} har inte kommit.", "order {d} saknas fortfarande", "Ärende {d} är inte löst.",
                        "Bokning {d} avbokades utan anledning."] if sv else
                       ["Order {d} never arrived.", "My order number is {d}", "Booking ref {d} was cancelled.",
                        "case {d} is still open"])  # fmt: skip
    elif kind == "phone_like_order":
        v = rng.choice(["07" + rng.choice("02369") + _digits(rng, 7), "08" + _digits(rng, 8), "0" + _digits(rng, 9)])
        t = "Ordernummer {d} har inte levererats." if sv else "Order number {d} has not been delivered."
    elif kind == "price":
        v = rng.choice([f"{rng.randint(10, 999)} kr", f"{rng.randint(1, 9)} {rng.randint(0, 999):03d}:-",
                        f"${rng.randint(1, 99)}.{rng.randint(0, 99):02d}",
                        f"{rng.randint(1, 9)} {_digits(rng, 3)} kronor",
                        f"€{rng.randint(1, 99)},{_digits(rng, 2)}", f"SEK {rng.randint(1, 9)} {_digits(rng, 3)}",
                        f"{rng.randint(100, 9999)} SEK"])  # fmt: skip
        t = "Det kostade {d} vilket är för dyrt." if sv else "It cost {d} which is too much."
    elif kind == "date":
        d = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
        months = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
                  "november", "december"]  # fmt: skip
        v = rng.choice(
            [
                d.isoformat(),
                f"{d.day} {months[d.month - 1]}",
                f"{d.day:02d}/{d.month:02d}/{d.year}",
                f"{d.day}.{d.month}.{d.year}",
                f"{d.day:02d}-{d.month:02d}-{d.year}",
                d.strftime("%Y%m%d"),
            ]
        )
        t = "Leveransen skulle komma {d} men kom inte." if sv else "It was promised for {d} but never came."
    elif kind == "time":
        v = rng.choice([f"{rng.randint(6, 22):02d}:{rng.choice(['00', '15', '30', '45'])}",
                        f"{rng.randint(6, 22)}.{rng.choice(['00', '30'])}"])  # fmt: skip
        t = "Jag ringde kl {d} och fick vänta." if sv else "I called at {d} and had to wait."
    elif kind == "quantity":
        v = rng.choice(
            [
                f"{rng.randint(2, 20)} st",
                f"{rng.randint(1, 25)} kg",
                f"{rng.randint(100, 2000)} ml",
                f"{rng.randint(5, 180)} minuter" if sv else f"{rng.randint(5, 180)} minutes",
                f"{rng.randint(1000, 50000)} poäng" if sv else f"{rng.randint(1000, 50000)} points",
            ]
        )
        t = "Jag fick vänta {d} totalt." if sv else "I waited {d} in total."
    elif kind == "percent":
        v = rng.choice([f"{rng.randint(5, 70)} %", f"{rng.randint(5, 70)}%", f"{rng.randint(1, 9)},5 %"])
        t = "Rabatten på {d} drogs inte av." if sv else "The {d} discount was not applied."
    elif kind == "flight":
        v = f"{rng.choice(['SK', 'DY', 'AY', 'BA', 'LH', 'KL', 'D8'])}{rng.choice(['', ' '])}{rng.randint(100, 9999)}"
        t = "Flyget {d} var försenat i tre timmar." if sv else "Flight {d} was three hours late."
    elif kind == "year":
        v = str(rng.randint(1985, 2026))
        t = "Jag har varit kund sedan {d}." if sv else "I have been a customer since {d}."
    elif kind == "invalid_personnummer":
        v = personnummer(rng, samordning=rng.random() < 0.2, valid=False)
        t = "Referensen {d} stämmer inte." if sv else "Reference {d} does not match."
    elif kind == "invalid_card":
        v = card(rng, valid=False)
        t = "Kortet {d} nekades i kassan." if sv else "The card {d} was declined."
    elif kind == "invalid_iban":
        v = iban(rng, valid=False)
        t = "Kontot {d} var fel enligt banken." if sv else "Account {d} was wrong according to the bank."
    elif kind == "giro_without_context":
        body = str(rng.randint(1, 9)) + _digits(rng, 5)
        n = body + luhn_digit(body)
        v = f"{n[:3]}-{n[3:]}"
        t = "Min kod var {d} men den fungerade inte." if sv else "My code was {d} but it did not work."
    else:  # long_reference
        v = _digits(rng, rng.choice([11, 12, 14, 20, 22]))
        t = "Spårningsnummer {d} visar ingenting." if sv else "Tracking number {d} shows nothing."
    return t, v, kind


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.labels: list[tuple[int, int, str]] = []
        self.decoys: list[tuple[int, int, str]] = []

    def add(self, s: str) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append(" ")
            self.length += 1
        self.parts.append(s)
        self.length += len(s)

    def add_slot(self, template: str, key: str, value: str, kind: str, is_decoy: bool) -> None:
        before, after = template.split("{" + key + "}")
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append(" ")
            self.length += 1
        start = self.length + len(before)
        (self.decoys if is_decoy else self.labels).append((start, start + len(value), kind))
        s = before + value + after
        self.parts.append(s)
        self.length += len(s)


def generate(seed: int = 0, n: int = 3000) -> list[Example]:
    rng = random.Random(seed)
    kinds = list(_MAKERS)
    out = []
    for _ in range(n):
        lang = "sv" if rng.random() < 0.65 else "en"
        b = _Builder()
        if rng.random() < 0.6:
            b.add(rng.choice(_ORDINARY[lang]))
        slots = []
        for _ in range(rng.choice([0, 1, 1, 1, 2])):
            slots.append(("pii", rng.choice(kinds)))
        for _ in range(rng.choice([0, 1, 1, 2])):
            slots.append(("decoy", None))
        rng.shuffle(slots)
        for what, kind in slots:
            if what == "pii":
                template = rng.choice(_PII_TEMPLATES[lang][kind])
                b.add_slot(template, "x", _MAKERS[kind](rng, lang), kind, False)
            else:
                template, value, dkind = _decoy(rng, lang)
                b.add_slot(template, "d", value, dkind, True)
        if rng.random() < 0.3:
            b.add(rng.choice(_ORDINARY[lang]))
        if not b.parts:
            b.add(rng.choice(_ORDINARY[lang]))
        out.append(Example("".join(b.parts), lang, b.labels, b.decoys))
    return out


# ---------------------------------------------------------------- scoring


def score(examples: list[Example], find) -> dict:
    """find(text, language) -> spans with .start/.end/.kind. A label counts as found when a span of the
    same kind covers it; a decoy counts as redacted when any span overlaps it."""
    kinds = [*STRUCTURED_KINDS, "address", "name"]
    found = dict.fromkeys(kinds, 0)
    total = dict.fromkeys(kinds, 0)
    predicted = dict.fromkeys(kinds, 0)
    correct_pred = dict.fromkeys(kinds, 0)
    decoys_hit: dict[str, int] = {}
    decoys_total = 0
    misses: list[tuple[str, str, str]] = []
    false_pos: list[tuple[str, str, str]] = []
    for ex in examples:
        spans = find(ex.text, ex.language)
        for s, e, kind in ex.labels:
            total[kind] += 1
            if any(p.kind == kind and p.start <= s and p.end >= e for p in spans):
                found[kind] += 1
            else:
                misses.append((kind, ex.text[s:e], ex.text))
        for p in spans:
            predicted[p.kind] += 1
            if any(p.kind == kind and p.start < e and s < p.end for s, e, kind in ex.labels):
                correct_pred[p.kind] += 1
            else:
                false_pos.append((p.kind, ex.text[p.start : p.end], ex.text))
        for s, e, dkind in ex.decoys:
            decoys_total += 1
            if any(p.start < e and s < p.end for p in spans):
                decoys_hit[dkind] = decoys_hit.get(dkind, 0) + 1
    structured_total = sum(total[k] for k in STRUCTURED_KINDS)
    structured_found = sum(found[k] for k in STRUCTURED_KINDS)
    structured_pred = sum(predicted[k] for k in STRUCTURED_KINDS)
    structured_correct = sum(correct_pred[k] for k in STRUCTURED_KINDS)

    def ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    return {
        "recall": {k: ratio(found[k], total[k]) for k in kinds},
        "count": total,
        "precision": {k: ratio(correct_pred[k], predicted[k]) for k in kinds},
        "pii_recall": ratio(structured_found, structured_total),
        "pii_precision": ratio(structured_correct, structured_pred),
        "ordinary_numbers_redacted": sum(decoys_hit.values()),
        "decoys_total": decoys_total,
        "decoys_hit": decoys_hit,
        "misses": misses,
        "false_positives": false_pos,
    }
