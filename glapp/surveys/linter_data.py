"""What the survey linter looks for: word lists, patterns and messages, kept apart from the logic.

Pure data (no Django). The word lists and patterns are language data, one set per language; the
messages are UI text, translated through the UI catalogue (`glapp.core.i18n`). Every pattern is
matched case-insensitively against one language's question text; Swedish patterns only against
`sv` texts, English ones only against `en` texts. Adding a word is a one-line change here plus a
test case in tests/surveys/test_linter.py.
"""

import re

from glapp.core.i18n import gettext_noop


def _words(*words: str) -> str:
    """An alternation of words, longest first so "mycket bra" wins over "bra"."""
    return "|".join(sorted(words, key=len, reverse=True))


def _sv_adjectives(*stems: str) -> str:
    """Swedish adjective stems with their usual inflections (snabb, snabbt, snabba, snabbare …);
    a final -m doubles before a vowel (hjälpsam → hjälpsamma, hjälpsammare)."""
    doubled = [stem + "m" for stem in stems if stem.endswith("m") and not stem.endswith("mm")]
    plain = "(?:" + _words(*stems) + ")(?:t|a|e|ta|te|are|ast|aste)?"
    if not doubled:
        return plain
    return "(?:" + plain + "|(?:" + _words(*doubled) + ")(?:a|e|are|ast|aste))"


IC = re.IGNORECASE

# --- leading_wording ------------------------------------------------------------------------
# Praise of the company's own things: the question tells the answer. Not flagged when the word
# labels a scale end ("5 = utmärkt", "från mycket dåligt till utmärkt").
PRAISE = {
    "sv": _sv_adjectives("utmärk", "fantastisk", "underbar", "enastående", "suverän", "fenomenal",
                         "förstklassig", "prisbelön", "prisad", "oslagbar", "magnifik", "strålande",
                         "ypperlig", "toppenbra", "superbra", "kanonbra", "otrolig", "makalös", "klockren",
                         "perfek", "omtyck", "populär", "älskad", "marknadsledande", "välrenommerad",
                         "fantastiskt") + "|i världsklass|prisbelönta",
    "en": _words("excellent", "fantastic", "wonderful", "amazing", "outstanding", "award-winning",
                 "award winning", "superb", "brilliant", "exceptional", "world-class", "world class",
                 "first-class", "top-notch", "terrific", "marvellous", "marvelous", "fabulous", "superior",
                 "unbeatable", "incredible", "stellar", "phenomenal", "beloved", "popular", "perfect",
                 "best-in-class", "industry-leading", "market-leading", "renowned", "acclaimed")
    + r"|great(?!\s+(?:deal|extent|britain|lengths))",
}
PRAISE_PATTERNS = {lang: re.compile(rf"\b(?:{words})\b", IC) for lang, words in PRAISE.items()}

# "vår trevliga personal", "our friendly staff": a compliment smuggled in before the noun.
POSSESSIVE_PRAISE = {
    "sv": re.compile(r"\b(?:vår|vårt|våra)\s+" + "(?:" + _sv_adjectives(
        "trevlig", "vänlig", "hjälpsam", "kunnig", "professionell", "snabb", "smidig", "engagerad",
        "engagera", "kompetent", "erfaren", "duktig", "serviceinriktad", "generös", "prisvärd", "prisvär",
        "bra", "god", "fin", "nöjd", "lyhörd", "lyhör", "noggrann", "personlig", "härlig", "mysig") + r")\b", IC),
    "en": re.compile(r"\bour\s+(?:" + _words(
        "friendly", "helpful", "knowledgeable", "professional", "fast", "quick", "speedy", "smooth",
        "dedicated", "expert", "experienced", "skilled", "competent", "caring", "generous", "convenient",
        "affordable", "easy", "good", "nice", "lovely", "fine", "happy", "satisfied", "attentive",
        "delicious", "cosy", "cozy") + r")\b", IC),
}

# Questions that presume the answer. Positive presumptions are fine on a follow-up shown only to
# high scorers, negative ones on a follow-up shown only to low scorers (see linter._restricted_to).
PRESUMPTIVE_POSITIVE = {
    "sv": [
        r"\bhur mycket (?:gillade|gillar|uppskattade|uppskattar|njöt|älskade|älskar)\b",
        r"\bhur mycket (?:tyckte|tycker) (?:du|ni) om\b",
        r"\bvad (?:gillade|uppskattade|tyckte|gillar|uppskattar|tycker) (?:du|ni) (?:allra )?(?:mest|bäst)\b",
        r"\bvad (?:var|är) det (?:allra )?bästa med\b",
        r"\bvad (?:gillade|uppskattade) (?:du|ni) med\b",
    ],
    "en": [
        r"\bhow much (?:did|do) you (?:enjoy|like|love|appreciate)\b",
        r"\bwhat did you (?:like|love|enjoy|appreciate)(?: the)? most\b",
        r"\bwhat do you (?:like|love|enjoy|appreciate)(?: the)? most\b",
        r"\bwhat (?:was|is) the best(?: thing| part)? about\b",
        r"\bwhat did you (?:like|love|enjoy|appreciate) about\b",
    ],
}
PRESUMPTIVE_NEGATIVE = {
    "sv": [
        r"\bvad (?:var det som )?gick fel\b",
        r"\bvad (?:var|är) (?:det )?(?:dåligt|dåliga|sämst|sämsta)\b",
        r"\bvad (?:irriterade|störde|retade|besvärade) (?:dig|er)\b",
        r"\bvad (?:var|är) (?:du|ni) (?:missnöjd|missnöjda|besviken|besvikna) (?:med|på)\b",
    ],
    "en": [
        r"\bwhat went wrong\b",
        r"\bwhat (?:was|were|is) (?:bad|the worst|wrong)\b",
        r"\bwhat (?:annoyed|frustrated|disappointed|bothered|upset) you\b",
        r"\bwhat (?:were|are) you (?:unhappy|dissatisfied|disappointed) (?:with|about)\b",
    ],
}
# Agreement-seeking and tag questions: the respondent is pushed towards "yes".
AGREEMENT_SEEKING = {
    "sv": [
        r"\bvisst\b",
        r"\beller hur\b",
        r"\bhåller (?:du|ni) inte med\b",
        r"\b(?:tycker|tyckte|anser|håller) (?:du|ni) (?:inte|också) (?:att|med)\b",
        r"\b(?:du|ni|det) (?:var|är|blev|gick|kändes) väl\b",
        r"\bväl\s*\?",
        r"\b(?:var|är|blev|kändes) (?:inte|väl) (?:personalen|servicen|bemötandet|leveransen|det)\b",
    ],
    "en": [
        r"\b(?:don['’]t|do not|didn['’]t|did not|wouldn['’]t|would not|won['’]t|can['’]t) you (?:agree|think|say|feel"
        r"|find|love|like|enjoy)\b",
        r"\b(?:isn['’]t|wasn['’]t|aren['’]t|weren['’]t) (?:it|this|that|they|the \w+) (?:true|great|nice|easy|good"
        r"|helpful|friendly|quick|fast)\b",
        r"\bsurely\b",
        r",\s*(?:right|isn['’]t it|wasn['’]t it|didn['’]t you|don['’]t you|wouldn['’]t you|weren['’]t they)\s*\?",
        r"\bwouldn['’]t you say\b",
    ],
}

# --- one_sided_wording ----------------------------------------------------------------------
# Naming only one pole ("Hur nöjd är du…") nudges answers towards it. Softer than leading
# wording and very common in CSAT, so it has its own code; "Hur nöjd eller missnöjd…" passes.
ONE_SIDED = {
    "sv": re.compile(r"\bhur (?:nöjd|nöjda|glad|glada|bra|positiv|positiva|förtjust|lycklig|tillfreds|trevlig|trevliga"
                     r"|vänlig|vänliga|hjälpsam|hjälpsamma|missnöjd"
                     r"|missnöjda|besviken|besvikna|dålig|dåligt|negativ|negativa)\b(?!\s+eller\b)", IC),
    "en": re.compile(r"\bhow (?:satisfied|happy|pleased|good|positive|delighted|friendly|helpful|pleasant"
                     r"|dissatisfied|unhappy|bad|poor"
                     r"|disappointed|negative)\b(?!\s+or\b)", IC),
}

# --- double_barrelled -----------------------------------------------------------------------
# Two evaluative targets joined by a conjunction: one answer cannot rate both.
# Evaluative adjectives carry a polarity, so "bra eller dålig" (a balanced pair) is not flagged.
ADJECTIVES_POSITIVE = {
    "sv": _sv_adjectives("snabb", "trevlig", "vänlig", "hjälpsam", "kunnig", "professionell", "tydlig", "enkel",
                         "lätt", "smidig", "bra", "nöjd", "effektiv", "artig", "korrekt", "prisvärd", "ren", "fräsch",
                         "punktlig", "flexibel", "lyhörd", "pålitlig", "säker", "billig", "god", "trygg", "engagerad",
                         "tillmötesgående", "kompetent", "bekväm", "tillgänglig", "noggrann", "gott", "enkla",
                         "prisvärt", "flexibla", "lyhört", "engagerat", "enkelt")
    + "|bättre|bäst",
    "en": _words("quick", "fast", "speedy", "friendly", "helpful", "knowledgeable", "professional", "clear", "easy",
                 "simple", "smooth", "good", "satisfied", "efficient", "polite", "courteous", "accurate", "affordable",
                 "clean", "punctual", "flexible", "responsive", "reliable", "safe", "cheap", "convenient", "competent",
                 "attentive", "comfortable", "accessible", "pleasant", "nice", "fair", "better", "best", "quickly",
                 "easily", "politely", "efficiently", "professionally", "accurately", "clearly", "correctly",
                 "smoothly", "kindly"),
}
ADJECTIVES_NEGATIVE = {
    "sv": _sv_adjectives("långsam", "otrevlig", "ovänlig", "svår", "krånglig", "dålig", "missnöjd", "dyr", "otydlig",
                         "oprofessionell", "slarvig", "smutsig", "ineffektiv", "oartig", "osäker", "otrygg", "stressig",
                         "rörig", "jobbig", "svårt", "dyrt", "missnöj", "krångl", "sämre", "sämst"),
    "en": _words("slow", "unfriendly", "difficult", "hard", "complicated", "bad", "poor", "dissatisfied", "expensive",
                 "unclear", "rude", "dirty", "unhelpful", "inefficient", "unreliable", "unsafe", "inconvenient",
                 "unpleasant", "worse", "worst", "slowly"),
}
# Things a customer can rate (Swedish stems take the definite and plural endings).
SV_NOUN_ENDINGS = "(?:en|et|n|t|a|na|erna|arna|orna|er|ar|or|s|ens|ets|ns|ns)?"
TARGETS = {
    "sv": "(?:" + _words(
        "pris", "kvalitet", "service", "personal", "bemötande", "leverans", "sortiment", "utbud", "produkt",
        "hemsida", "hemsid", "webbplats", "app", "kundtjänst", "kundservice", "kassa", "väntetid", "öppettid",
        "information", "rådgivning", "miljö", "renlighet", "tillgänglighet", "parkering", "betalning", "beställning",
        "faktura", "fakturan", "support", "handläggning", "svarstid", "bokning", "installation", "montering", "frakt",
        "retur", "förpackning", "garanti", "kommunikation", "mat", "atmosfär", "stämning", "komfort", "hastighet",
        "vänlighet",
        "kunskap", "prisnivå", "erbjudande", "villkor", "säljare", "butik", "kassapersonal", "chaufför",
        "tekniker", "läkare", "sjuksköterska", "mottagning",
    ) + ")" + SV_NOUN_ENDINGS,
    "en": "(?:" + _words(
        "price", "prices", "pricing", "quality", "service", "staff", "employees", "personnel", "delivery",
        "deliveries", "selection", "range", "assortment", "product", "products", "website", "app", "support",
        "customer service", "checkout", "waiting time", "wait", "opening hours", "information", "advice",
        "cleanliness", "parking", "payment", "ordering", "invoice", "billing", "booking", "installation", "shipping",
        "returns", "packaging", "warranty", "communication", "speed", "friendliness", "helpfulness", "knowledge",
        "value", "food", "atmosphere", "comfort", "availability", "response time", "offer", "offers", "store", "shop",
        "driver", "technician", "doctor", "nurse", "agent", "agents", "salesperson", "cashier",
    ) + ")",
}
CONJUNCTIONS = {"sv": r"och/eller|och|samt|eller|&", "en": r"and/or|and|or|&|as well as|plus"}
# Words allowed between the conjunction and the second target: "priset och [den] kvaliteten".
FILLERS = {
    "sv": r"den|det|de|vår|vårt|våra|er|ert|era|din|ditt|dina|hur|mycket|väldigt|så|tillräckligt|också",
    "en": r"the|our|your|its|their|a|an|how|very|really|also|enough",
}
# Pairs that belong together and are not two questions in one.
FIXED_EXPRESSIONS = {
    "sv": ("nöjd eller missnöjd", "nöjda eller missnöjda", "i stort och smått", "lätt eller svårt",
           "enkelt eller svårt", "bra eller dåligt", "vän eller kollega", "vänner eller kollegor", "till och med",
           "mer eller mindre", "villkor och", "pris och villkor", "priser och villkor", "köpvillkor och"),
    "en": ("satisfied or dissatisfied", "terms and conditions", "easy or difficult", "good or bad",
           "friend or colleague", "friends or colleagues", "friends and family", "more or less", "prices and terms",
           "price and terms", "terms and",
           # Brand names that contain "and": one company, not two.
           "marks and spencer", "johnson and johnson", "barnes and noble", "dolce and gabbana"),
}
# Two names joined by a conjunction: "Ica och Coop". "&" is left out: between names it is
# almost always one brand (Procter & Gamble, Barnes & Noble).
PROPER_NOUN_PAIR = re.compile(
    r"\b([A-ZÅÄÖ][\wÅÄÖåäö&'’.-]+)\s+(och|and|eller|or|samt)\s+([A-ZÅÄÖ][\wÅÄÖåäö&'’.-]+)\b")
AND_OR = {"sv": re.compile(r"\boch\s*/\s*eller\b", IC), "en": re.compile(r"\band\s*/\s*or\b", IC)}

# --- known_information ----------------------------------------------------------------------
# Asking what glapp already knows: each pattern names the known field it duplicates.
KNOWN_INFORMATION = {
    "sv": [
        ("store", r"\b(?:i |på )?vilk(?:en|et) (?:butik|varuhus|restaurang|filial|kontor|anläggning|hotell|apotek"
                  r"|gym|klinik|mottagning|bensinstation|station)\w*(?:\s*\?| (?:besökte|handlade|var|köpte|hämtade"
                  r"|åt|bodde|ringde|kontaktade|träffade|gällde))"),
        ("store", r"\b(?:var|vilken ort) (?:handlade|besökte|var) (?:du|ni)\b"),
        ("product", r"\bvilk(?:en|et|a) (?:produkt|vara|varor|modell|tjänst|abonnemang)\w* (?:köpte|beställde|valde|har"
                    r"|handlade|använde)\b"),
        ("product", r"\bvad (?:köpte|beställde|handlade) (?:du|ni)\b"),
        ("date", r"\bvilket datum\b|\bvilken dag (?:besökte|handlade|ringde|var|kontaktade|hämtade|fick|köpte)\b"),
        ("date", r"\bnär (?:besökte|handlade|ringde|kontaktade|var) (?:du|ni)\b"),
        ("first_name", r"\bvad heter (?:du|ni)\b"),
        ("first_name", r"\b(?:ditt|ert) (?:för)?namn\b"),
        ("email", r"\b(?:din|er|vilken) (?:e-?post|e-?mail|mejl|mail)(?:adress)?\b"),
        ("email", r"\be-?post-?adress|\bmejladress|\bmailadress"),
        ("phone", r"\b(?:telefonnummer|mobilnummer|mobiltelefonnummer)\b"),
        ("phone", r"\b(?:ditt|ert) (?:telefon|mobil)?nummer\b"),
        ("customer_id", r"\b(?:kundnummer|medlemsnummer|kund-?id|kundid|avtalsnummer|ordernummer)\b"),
        ("agent", r"\b(?:vem|vilken (?:handläggare|medarbetare|säljare|rådgivare|person)) "
                  r"(?:hjälpte|pratade|talade|betjänade|träffade)\b"),
        ("agent", r"\bvem (?:pratade|talade) (?:du|ni) med\b"),
    ],
    "en": [
        ("store", r"\b(?:which|what) (?:store|shop|branch|location|restaurant|hotel|office|outlet|clinic|pharmacy"
                  r"|gym|station)s?(?:\s*\?| (?:did you|were you|was it|have you))"),
        ("store", r"\bwhere did you (?:shop|buy|visit)\b"),
        ("product", r"\b(?:which|what) (?:product|item|model|service|plan|subscription)s? did you (?:buy|purchase"
                    r"|order|choose|use)\b"),
        ("product", r"\bwhat did you (?:buy|purchase|order)\b"),
        ("date", r"\b(?:which|what) date\b|\b(?:which|what|on which) day did you\b"),
        ("date", r"\bwhen did you (?:visit|shop|call|contact|buy|purchase)\b"),
        ("first_name", r"\bwhat is your (?:first |full )?name\b|\byour (?:first |full )?name\b"),
        ("email", r"\b(?:your|which|what) e-?mail(?: address)?\b|\be-?mail address\b"),
        ("phone", r"\b(?:your )?(?:phone|mobile|telephone|cell) number\b"),
        ("customer_id", r"\b(?:customer|account|membership|member|loyalty|order) (?:number|id|no)\b|\bcustomer id\b"),
        ("agent", r"\bwho (?:helped|served|assisted) you\b|\bwho did you (?:speak|talk) (?:to|with)\b"
                  r"|\b(?:which|what) (?:agent|advisor|adviser|representative|employee|salesperson)\b"),
    ],
}

# --- scale_direction ------------------------------------------------------------------------
# Anchor labels in a question text: "1 = mycket dåligt", "10 is extremely likely", "där 7 är
# mycket lätt". Each label gets a polarity; with the numbers that gives the scale's direction.
ANCHOR = re.compile(r"(?<![\w])(\d{1,2})\s*(?:=|:|är|betyder|motsvarar|innebär|is|means|stands for|–|—|-)\s*"
                    r"[\"“”'‘’]?([^,;()\d\"“”]{2,40})", IC)
FROM_TO = re.compile(r"\b(?:från|from)\s+(?:\d{1,2}\s*)?[(\"“]?([^,;()\d?]{2,40}?)[)\"”]?\s+(?:till|to)\s+"
                     r"(?:\d{1,2}\s*)?[(\"“]?([^,;()\d?]{2,40})", IC)
POLAR_POSITIVE = re.compile(r"\b(?:" + _words(
    "bra", "nöjd", "lätt", "enkel", "enkelt", "utmärkt", "troligt", "sannolikt", "positiv", "instämmer helt",
    "håller helt med", "håller med", "bäst", "smidigt", "good", "satisfied", "easy", "excellent", "likely", "great",
    "best", "positive", "agree", "strongly agree", "happy", "little effort", "low effort", "liten ansträngning",
) + r")\b", IC)
POLAR_NEGATIVE = re.compile(r"\b(?:" + _words(
    "dålig", "dåligt", "missnöjd", "svår", "svårt", "usel", "uselt", "osannolikt", "negativ", "sämst",
    "krångligt", "instämmer inte", "håller inte med", "tar avstånd", "bad", "poor", "dissatisfied", "difficult",
    "hard", "terrible", "unlikely", "worst", "negative", "disagree", "unhappy", "awful", "much effort", "high effort",
    "stor ansträngning", "mycket ansträngning",
) + r")\b", IC)
NEGATION = re.compile(r"\b(?:inte|ej|aldrig|not|never|no)\b", IC)
# Effort wording: a high score means more effort, the opposite of glapp's CES (5–7 = low effort).
EFFORT_WORDING = {
    "sv": re.compile(r"\bhur (?:mycket|stor) (?:ansträngning|möda|energi|besvär|arbete|kraft)\b"
                     r"|\bhur (?:svårt|krångligt|besvärligt|jobbigt|mödosamt|ansträngande)\b(?!\s+eller\b)", IC),
    "en": re.compile(r"\bhow much (?:effort|work|trouble|hassle|energy)\b"
                     r"|\bhow (?:difficult|hard|complicated|effortful|troublesome)\b(?!\s+or\b)", IC),
}

# --- nps_wording ----------------------------------------------------------------------------
NPS_CORE = {
    "sv": re.compile(r"\bhur (?:troligt|sannolikt)\b[^?]{0,40}?\brekommendera", IC),
    "en": re.compile(r"\bhow likely\b[^?]{0,40}?\brecommend", IC),
}
NPS_HINTS = {
    "satisfaction": {"sv": re.compile(r"\bnöjd|\bmissnöjd", IC), "en": re.compile(r"\b(?:satisf|dissatisf|happy)", IC)},
    "yes_no": {"sv": re.compile(r"^\W*(?:skulle|kan|kommer|vill) (?:du|ni) rekommendera"
                                r"|^\W*rekommenderar (?:du|ni)", IC),
               "en": re.compile(r"^\W*(?:would|will|do|could|can) you recommend", IC)},
    "rating": {"sv": re.compile(r"\b(?:betygsätt|ge oss ett betyg|0\s*[-–]\s*10|betyg)", IC),
               "en": re.compile(r"\b(?:rate us|rate|score us|0\s*[-–]\s*10)", IC)},
}

LONG_QUESTION_WORDS = 30

# --- messages -------------------------------------------------------------------------------
# What each finding tells the author: UI text, so the English here is the msgid and the Swedish lives in
# the UI catalogue (glapp/locale); the linter reads it in the author's language. str.format fields in
# braces. Each says what, why and how to fix; an nps_wording hint follows its message after a space.
MESSAGES: dict[str, str] = {
    "too_many_questions": gettext_noop(
        "A respondent can be asked {path} questions ({total} in the survey). Short surveys get more "
        "and more honest answers: keep to 3–4 questions and let one open question catch the rest."),
    "too_many_questions.hidden": gettext_noop(
        "A respondent can be asked {path} questions on the longest path through the skip logic "
        "({total} in the survey). Short surveys get more and more honest answers: keep every path "
        "to 3–4 questions."),
    "no_open_text": gettext_noop(
        "The survey has no open question. Add an open-text question (e.g. “What is the main reason "
        "for your score?”) so customers can tell their story in their own words – that is where the "
        "reasons are."),
    "no_open_text.some_paths": gettext_noop(
        "Not every respondent gets an open question: when {scenario} no open-text question is "
        "shown. Make sure every path through the skip logic has an open follow-up."),
    "leading_wording.praise": gettext_noop(
        "The question praises what is being rated (“{evidence}”), which steers the answer. Drop the "
        "praising word and ask neutrally, e.g. “How satisfied or dissatisfied are you with the "
        "service?”."),
    "leading_wording.presumptive": gettext_noop(
        "The question presumes the answer (“{evidence}”). Ask openly, e.g. “How was your experience "
        "of …?” or “What is the main reason for your score?”, or show it only to those it applies "
        "to with skip logic."),
    "leading_wording.agreement": gettext_noop(
        "The question asks for agreement (“{evidence}”) and pushes towards “yes”. Ask a neutral "
        "question without “don't you agree”, “surely” or tag questions."),
    "one_sided_wording": gettext_noop(
        "The question names only one end of the scale (“{evidence}”), which pulls answers that way. "
        "Common, but more neutral with both ends: “How satisfied or dissatisfied …”, “How good or "
        "bad …”."),
    "double_barrelled": gettext_noop(
        "The question asks about two things at once (“{evidence}”). One answer cannot rate both: "
        "split it into two questions or keep the one that matters most."),
    "known_information": gettext_noop(
        "The question asks for something glapp already knows ({field}: “{evidence}”). Don't ask the "
        "customer – use {placeholder} in the text and pass the value as metadata with the "
        "invitation."),
    "scale_direction.typed": gettext_noop(
        "The question is worded so that a high value is bad (“{evidence}”), but glapp reads {qtype} "
        "with high = good. Answers would be counted backwards: turn the wording round (e.g. “How "
        "easy or difficult was it to …”) so the highest value is the best."),
    "scale_direction.mixed": gettext_noop(
        "This scale runs the opposite way to the survey's other scales (“{evidence}”: high = bad). "
        "Respondents used to high = good will answer the wrong way. Make the highest value the best "
        "on every scale."),
    "scale_direction.language": gettext_noop(
        "The scale runs differently between languages: in {other} high = good, but here high = bad "
        "(“{evidence}”). Answers in different languages cannot be compared; fix the translation."),
    "nps_wording": gettext_noop(
        "The NPS question departs from the standard wording, so the score cannot be compared with "
        "other NPS results. Use “How likely is it that you would recommend [us/the brand] to a "
        "friend or colleague?”.{hint}"),
    "nps_wording.satisfaction": gettext_noop(
        "This asks about satisfaction, not likelihood to recommend – use a CSAT question for that."),
    "nps_wording.yes_no": gettext_noop("As a yes/no question it does not fit a 0–10 scale."),
    "nps_wording.rating": gettext_noop("A general rating is not likelihood to recommend."),
    "missing_translation": gettext_noop(
        "The text is missing in {language_name}. Respondents reading {language_name} will see "
        "another language; add the translation."),
    "missing_translation.options": gettext_noop(
        "Options have no label in {language_name}: {evidence}. Add the labels, otherwise the option "
        "codes are shown."),
    "missing_translation.thank_you": gettext_noop(
        "The thank-you text is missing in {language_name}. Add it so every respondent is thanked in "
        "their language."),
    "missing_translation.promoter_link": gettext_noop("The promoter link text is missing in {language_name}. Add it."),
    "empty_question": gettext_noop("The question has no text in any language. Write the question or remove it."),
    "unknown_placeholder": gettext_noop(
        "{evidence} is not a known field and will be left empty for the respondent. Known fields: "
        "{known}. Fix the spelling or pass the value with the invitation."),
    "piping_syntax": gettext_noop(
        "Square or curly brackets are unbalanced (“{evidence}”), so the characters are shown to the "
        "respondent. Close every [ with ] and every {{ with }}, without nesting."),
    "skip_logic.missing": gettext_noop(
        "The skip logic refers to question “{evidence}”, which does not exist. The question would "
        "never be shown; pick an existing earlier question."),
    "skip_logic.order": gettext_noop(
        "The skip logic refers to “{evidence}”, which does not come before this question. A "
        "condition can only use an earlier answer; move this question after “{evidence}”."),
    "skip_logic.range_on_choice": gettext_noop(
        "The skip logic uses min/max on “{evidence}”, which is not a scale question. Use “in” with "
        "options instead."),
    "skip_logic.in_on_score": gettext_noop(
        "The skip logic uses “in” on the scale question “{evidence}”. Use min/max (e.g. 0–6 for "
        "detractors)."),
    "skip_logic.unknown_option": gettext_noop(
        "The skip logic expects options question “{target}” does not have: {evidence}. The "
        "condition can never hold; pick from the question's options."),
    "skip_logic.impossible_range": gettext_noop(
        "The condition {evidence} can never hold on the scale {low}–{high}. Fix min/max."),
    "skip_logic.no_test": gettext_noop(
        "The skip logic has neither min/max nor “in”, so it is unclear when to show the question. "
        "Add a condition or remove the skip logic."),
    "duplicate_key": gettext_noop(
        "The key “{evidence}” is used by more than one question. Answers and skip logic would be "
        "mixed up; give every question its own key."),
    "unknown_type": gettext_noop("The question type “{evidence}” does not exist. Choose one of: {types}."),
    "no_options": gettext_noop("The choice question has no options and cannot be answered. Add options."),
    "required_open_text": gettext_noop(
        "The open question is required. Forced comments produce empty answers and more drop-outs; "
        "make it optional."),
    "long_question": gettext_noop(
        "The question has {words} words. Long questions are skimmed, especially on a phone; shorten "
        "it to one sentence of at most {limit} words."),
}


def language_names(catalogue) -> dict[str, str]:
    """Language names as they read inside a message in the catalogue's language ("saknas på svenska")."""
    return {
        "sv": catalogue.pgettext("language name inside a sentence", "Swedish"),
        "en": catalogue.pgettext("language name inside a sentence", "English"),
        "fi": catalogue.pgettext("language name inside a sentence", "Finnish"),
        "no": catalogue.pgettext("language name inside a sentence", "Norwegian"),
        "nb": catalogue.pgettext("language name inside a sentence", "Norwegian"),
        "da": catalogue.pgettext("language name inside a sentence", "Danish"),
        "de": catalogue.pgettext("language name inside a sentence", "German"),
    }
