"""Stems and Swedish compounds for topic matching.

`stem(word, language)` is the Snowball stemmer of the language (Swedish or English), memoised.
`split_compound(word)` splits a Swedish compound into known parts from a shipped list of common
customer-experience nouns and modifiers ("kundtjänstpersonalen" → ["kundtjänst", "personalen"]):
only words that are entirely made of known parts (optionally joined by a linking "s", the head
optionally inflected) are split, so "knappen" is never read as "kn" + "appen". A long known head
(5+ letters) after an unknown modifier of 3+ letters is also accepted ("paketleveransen").

`match_stem(word, language)` is the stem topic queries compare: Snowball's, but giving back what
Snowball removed beyond inflection. Snowball also strips derivational suffixes ("vänlig" → "vän",
"billig" → "bil", "säkerhet" → "säker", "installation" → "instal", "helpful" → "help"), which
joins words of different meaning; a query for "vänlig" must not find "vän" (friend), nor
"instalment" find "installation".

`word_keys(norm, language)` is what topic queries match on: the word, its match stem, its base
form (a known part with its inflection removed, which Snowball misses on short words: "kön" →
"kö"), and for Swedish the compound's head and every run of parts that ends with the head
("hemleveransen" → "leveransen", "leverans"). The meaning of a Swedish compound sits in its last
part: "paketresa" is a trip, not a parcel, and "kundtjänst" is not about "kund", so a modifier
alone is not a key (a query reaches it with a wildcard: `paket*`).
"""

import snowballstemmer

VERSION = "morphology-2"

_STEMMERS = {"sv": snowballstemmer.stemmer("swedish"), "en": snowballstemmer.stemmer("english")}
_CACHE_MAX = 300_000
_stem_cache: dict[tuple[str, str], str] = {}


def stem(word: str, language: str) -> str:
    """Snowball stem of a casefolded word ("sv" or "en"; other languages: the word itself)."""
    key = (word, language)
    out = _stem_cache.get(key)
    if out is None:
        stemmer = _STEMMERS.get(language)
        out = stemmer.stemWord(word) if stemmer is not None else word
        if len(_stem_cache) < _CACHE_MAX:
            _stem_cache[key] = out
    return out


# Inflectional endings Snowball may remove: anything else it removed is derivational and is kept.
# Swedish: noun, adjective and verb inflection; "-ande"/"-ende" make nouns ("erbjudande" is an
# offer, "erbjuder" offers), so they count as derivational. English: plural, past, -ing, final e.
_INFLECTIONS = {
    "sv": ("a", "ad", "ade", "ades", "ar", "are", "aren", "arens", "arna", "arnas", "arne", "as", "ast", "aste",
           "at", "d", "de", "des", "dde", "e", "en", "ens", "er", "erna", "ernas", "ern", "erns", "es", "et", "ets",
           "n", "na", "ns", "or", "orna", "ornas", "r", "rna", "s", "t", "te", "tes", "tt"),
    "en": ("", "s", "es", "ed", "d", "ing", "'s", "e"),
}
_INFLECTIONS_BY_LENGTH = {lang: sorted(set(e for e in endings if e), key=len, reverse=True)
                          for lang, endings in _INFLECTIONS.items()}
_match_stem_cache: dict[tuple[str, str], str] = {}


def match_stem(word: str, language: str) -> str:
    """Snowball's stem with derivational suffixes given back (see the module docstring)."""
    key = (word, language)
    out = _match_stem_cache.get(key)
    if out is not None:
        return out
    out = stem(word, language)
    endings = _INFLECTIONS_BY_LENGTH.get(language)
    if endings and word.startswith(out) and len(word) > len(out):
        rest = word[len(out):]
        if language == "sv" and rest[:3] in ("and", "end", "het"):
            rest = rest[:3]  # "erbjudande(n/t)", "säkerhet(en)": the noun, one stem
        else:
            for ending in endings:
                if rest.endswith(ending):
                    rest = rest[: len(rest) - len(ending)]
                    break
        # A doubled last consonant before the ending ("cancelled", "vänner") is not a suffix.
        if len(rest) == 1 and rest == out[-1]:
            rest = ""
        out += rest
    if len(_match_stem_cache) < _CACHE_MAX:
        _match_stem_cache[key] = out
    return out


# Common parts of Swedish compounds in customer comments (base forms; linking -s- is handled).
_PARTS_TEXT = """
kund kunder kundtjänst kundservice tjänst tjänste service personal faktura leverans leverantör paket app butik
pris priser kampanj
erbjudande kö vänte väntetid tid telefon chatt abonnemang mobil bredband hem post brev mejl mail webb web sida
konto kort bank lån ränta avgift kostnad betalning betal order beställning retur reklamation garanti vara
varu produkt kvalitet support kontor kassa säljare sälj handläggare handläggning ärende svar samtal nummer
nät täckning signal router modem fiber tv ström el avtal uppsägning bindning rabatt medlem bonus poäng kvitto
frakt bud transport lager saldo swish räkning inkasso påminnelse ombud utlämning ställe hämt logg inloggning
lösenord bankid säkerhet bedrägeri kod kontroll besked information info problem fel klagomål ersättning
återbetalning pengar summa belopp månad månads år års vecka dag natt kväll helg jul sommar rea rabatt
snabb lång kort hög låg extra special gratis dyr billig bra dålig ny gammal värd
system sajt hemsida portal uppdatering version funktion skärm dator surf data samtals sms röst
flyg tåg buss resa rese bagage väska biljett bokning avgång ankomst försening station plats säte stol
mat dryck kaffe rum hotell städ bil verkstad reparation service montering installation tekniker
chef anställd medarbetare expedit kassör receptionist bemötande attityd hjälp råd rådgivare rådgivning
prov test provning utbyte byte öppettid öppettider lokal parkering entré provrum hylla
e-post epost adress mottagare avsändare kartong förpackning emballage spårning spår leveranstid
"""
PARTS = frozenset(_PARTS_TEXT.split())

_HEAD_ENDINGS = ("", "en", "et", "n", "t", "er", "erna", "ar", "arna", "or", "orna", "na", "a", "e", "s", "ens",
                 "ets", "ns", "ts", "ers", "ernas", "arnas", "ornas", "ars", "ors", "r", "rna", "rnas")
_VOWELS = set("aeiouyåäö")
_split_cache: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _head_base(segment: str) -> str | None:
    """The known part a (possibly inflected) head segment is, or None."""
    for ending in _HEAD_ENDINGS:
        if ending and not segment.endswith(ending):
            continue
        base = segment[: len(segment) - len(ending)] if ending else segment
        if base in PARTS:
            return base
    return None


def _segmentations(word: str, finest: bool) -> list[str] | None:
    """Parts covering the word: modifiers (known, optional linking s) then an inflectable head."""
    n = len(word)
    best: dict[int, list[str] | None] = {}

    def solve(i: int) -> list[str] | None:
        if i in best:
            return best[i]
        result = None
        tail = word[i:]
        if i > 0 and _head_base(tail) is not None:
            result = [tail]
        for j in range(i + 2, n - 1):
            seg = word[i:j]
            if seg not in PARTS:
                continue
            for k in (j, j + 1) if word[j] == "s" else (j,):
                if k >= n - 1:
                    continue
                rest = solve(k)
                if rest is None:
                    continue
                cand = [seg, *rest]
                if result is None or (len(cand) > len(result) if finest else len(cand) < len(result)):
                    result = cand
        best[i] = result
        return result

    # The whole word as one known part is not a compound.
    parts = solve(0)
    if parts is not None and len(parts) >= 2:
        return parts
    return None


def _fallback(word: str) -> list[str] | None:
    """Unknown modifier (3+ letters with a vowel) followed by a long known head."""
    for i in range(3, len(word) - 4):
        head = word[i:]
        base = _head_base(head)
        if base is not None and len(base) >= 5:
            mod = word[:i]
            if mod.endswith("s") and len(mod) > 3:
                mod = mod[:-1]
            if _VOWELS.intersection(mod):
                return [mod, head]
    return None


def _splits(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    got = _split_cache.get(word)
    if got is None:
        coarse = fine = None
        if len(word) >= 5 and word.isalpha():
            coarse = _segmentations(word, finest=False)
            if coarse is not None:
                fine = _segmentations(word, finest=True)
            else:
                coarse = fine = _fallback(word)
        got = (tuple(coarse or (word,)), tuple(fine or coarse or (word,)))
        if len(_split_cache) < _CACHE_MAX:
            _split_cache[word] = got
    return got


def split_compound(word: str) -> list[str]:
    """Swedish compound → parts, head last and inflected as in the word; [word] if not a compound."""
    return list(_splits(word)[0])


def base_form(word: str) -> str | None:
    """A known part with its inflection removed ("köerna" → "kö"), or None."""
    return _head_base(word)


_keys_cache: dict[tuple[str, str], tuple[str, ...]] = {}


def _light_keys(word: str, language: str, out: set[str]) -> None:
    out.add(word)
    out.add(match_stem(word, language))
    if language != "en":
        base = _head_base(word)
        if base is not None:
            out.add(base)


def word_keys(norm: str, language: str) -> tuple[str, ...]:
    """Everything a query word may match this token on (see the module docstring)."""
    key = (norm, language)
    got = _keys_cache.get(key)
    if got is not None:
        return got
    out: set[str] = set()
    langs = ("sv", "en") if language not in ("sv", "en") else (language,)
    pieces = [p for p in norm.replace("'", "-").split("-") if p] if "-" in norm or "'" in norm else [norm]
    for lang in langs:
        _light_keys(norm, lang, out)
        for piece in pieces if len(pieces) > 1 else ():
            _light_keys(piece, lang, out)
        if lang == "en":
            continue
        for piece in pieces:
            fine = _splits(piece)[1]
            if len(fine) < 2:
                continue
            # Every run of parts that ends with the head ("tjänstpersonalen", "personalen"), never
            # a modifier alone ("kund" is not what "kundtjänstpersonalen" is about).
            for a in range(1, len(fine)):
                _light_keys("".join(fine[a:]), lang, out)
    got = tuple(out)
    if len(_keys_cache) < _CACHE_MAX:
        _keys_cache[key] = got
    return got
