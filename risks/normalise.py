"""Grouping keys for safety-concern names, so the same concern in different products groups.

Products name the same concern in different ways: "Progressive multifocal leukoencephalopathy
(PML)" and "Progressive Multifocal Leukoencephalopathy (PML)", "Tumor lysis syndrome" and
"Tumour lysis syndrome", "Malignancy" and "Malignancies". ``concern_key`` maps such spellings
to one key; ``display_name`` picks the name shown for a group.

The key is built in this order (each step is a small function below):

1. Footnote markers are removed (``strip_footnote_markers``). Text pulled out of PDFs glues a
   footnote letter to the name: "Stroke (including haemorrhagic stroke)a", "Thrombocytopeniaa".
   A marker is removed only where it cannot be part of a word:
   - superscript letters, digits and footnote symbols (ᵃ ¹ * † ‡ §) at the end;
   - one or more lower-case letters a–f right after a closing bracket: ")a", ")a,b";
   - a doubled final "aa", "bb" or "cc" on a last word of 5 letters or more ("Thrombocytopeniaa"
     -> "Thrombocytopenia"). No English or medical word of that length ends in those pairs;
     "-dd", "-ee", "-ll", "-ss" do end real words (odd, knee, fall, loss) and are left alone.
   Limits: a marker glued to a word without doubling ("Infectionsa", "Thrombocytopeniab") is
   indistinguishable from a real word and stays; curators remove it (the seed format asks
   for names "without footnote markers").
2. Brackets that hold only an abbreviation are dropped: "(PML)", "(IARs)", "(SJS/TEN)",
   "(T1DM)": every word in them is capitals and digits (two capitals at least, an optional
   plural "s"). Brackets with content stay: "(including haemorrhagic stroke)",
   "(tumor lysis)", "(myelosuppression)". Limit: a bracketed code that looks like an
   abbreviation (a gene name, "(HLA B)") is dropped as well.
3. A name that is an abbreviation alone ("PML", "SJS/TEN", "IARs") becomes its expansion from
   ``ABBREVIATIONS``, a small explicit table of abbreviations whose expansion the seed plans
   spell out. Ambiguous abbreviations are left out on purpose ("PAH" is pulmonary alveolar
   haemorrhage in Lemtrada but usually pulmonary arterial hypertension). Abbreviations inside
   a longer name are not expanded.
4. Case is folded and accents removed ("Guillain-Barré" = "Guillain-Barre").
5. Hyphens, dashes, slashes and other punctuation become spaces; apostrophes are removed
   ("Still’s" -> "stills"); "≥"/"≤" become ">="/"<="; comparison signs, "%" and "+" stay as
   words so "> 65" and ">65" match but "< 65" does not.
6. British spellings become American ones (``americanise``): haem/hem, anaemia/anemia,
   ischaemia/ischemia, leukaemia/leukemia, oedema/edema, paediatric/pediatric, foetal/fetal,
   caecitis/cecitis, tumour/tumor, diarrhoea/diarrhea, -isation/-ization, -yse/-yze, and
   -ise/-ised/-ising/-iser to -ize... except for words spelled -ise in American English too
   (exercise, compromise, advise...). The choice of American is arbitrary: the key is never
   shown.
7. The last word is made singular (``singular``): "infections" -> "infection", "malignancies"
   -> "malignancy", "rashes" -> "rash", "thromboses" -> "thrombosis". Only the last word,
   because it is the head of the noun phrase ("Serious infections", "Skin reactions"); only
   regular English plurals, on words of 5 letters or more (so abbreviations such as "ards",
   "sirs" and "aids" are left alone), and never for words whose -s is not a plural (diabetes,
   herpes, pancreas, -is, -us, -ss).

What is deliberately NOT grouped: names that differ in scope. "Serious infections" (Lemtrada)
and "Infections" (Clolar) stay apart: "serious" narrows the concern, and deciding that two
scopes are the same concern is a medical judgement, not a spelling one. Likewise "Hemorrhage"
and "Hemorrhage, including cerebral, gastrointestinal and pulmonary hemorrhage", or
"Infections" and "Infection (septic shock, sepsis, ...)": the bracket carries content.
Synonyms ("Veno-occlusive liver disease" and "Venous occlusive disease of the liver") are not
grouped either.
"""

import re
import unicodedata
from collections import Counter

# Abbreviation (normalised: lower case, words separated by single spaces) -> expansion.
ABBREVIATIONS = {
    "pml": "Progressive multifocal leukoencephalopathy",
    "sjs ten": "Stevens-Johnson syndrome and toxic epidermal necrolysis",
    "sjs and ten": "Stevens-Johnson syndrome and toxic epidermal necrolysis",
    "sjs": "Stevens-Johnson syndrome",
    "ten": "Toxic epidermal necrolysis",
    "tls": "Tumour lysis syndrome",
    "vod": "Veno-occlusive disease",
    "sirs": "Systemic inflammatory response syndrome",
    "itp": "Immune thrombocytopenic purpura",
    "ttp": "Thrombotic thrombocytopenic purpura",
    "iar": "Infusion-associated reactions",
    "iars": "Infusion-associated reactions",
    "hlh": "Haemophagocytic lymphohistiocytosis",
    "aih": "Autoimmune hepatitis",
    "aosd": "Adult onset Still’s disease",
    "mi": "Myocardial infarction",
}

_SUPERSCRIPT_MARKERS = "ᵃᵇᶜᵈᵉᶠ⁰¹²³⁴⁵⁶⁷⁸⁹*†‡§¶#"
_TRAILING_SUPERSCRIPTS = re.compile(rf"[\s{re.escape(_SUPERSCRIPT_MARKERS)}]+$")
_MARKER_AFTER_BRACKET = re.compile(r"([)\]])\s*[a-f](?:\s*,\s*[a-f])*$")
_DOUBLED_MARKER = re.compile(r"(?<=[A-Za-z]{3})([abc])\1$")

_BRACKETED = re.compile(r"\s*[(\[]([^()\[\]]*)[)\]]")
_ABBREVIATION_WORD = re.compile(r"^(?=(?:[0-9]*[A-Z]){2})[A-Z0-9]+s?$")

_PUNCTUATION = re.compile(r"[^\w<>=%+ ]+")
_SIGNS = re.compile(r"\s*([<>]=?|=|%|\+)\s*")

# Plain substring replacements, British -> American. Each British form occurs in no American
# word, so replacing it anywhere is safe.
_BRITISH_PARTS = [
    ("aem", "em"),  # haemorrhage, anaemia, ischaemia, leukaemia, septicaemia, haemophilia
    ("oedem", "edem"),
    ("oesophag", "esophag"),
    ("oestr", "estr"),
    ("rrhoea", "rrhea"),  # diarrhoea, amenorrhoea, gonorrhoea
    ("pnoea", "pnea"),  # dyspnoea, apnoea
    ("paed", "ped"),  # paediatric, orthopaedic
    ("foet", "fet"),
    ("caec", "cec"),
    ("faec", "fec"),
    ("gynaec", "gynec"),
    ("anaesth", "anesth"),
    ("coeliac", "celiac"),
    ("sulph", "sulf"),
    ("isation", "ization"),
]
_BRITISH_WORDS = {
    "tumour": "tumor",
    "tumours": "tumors",
    "behaviour": "behavior",
    "behaviours": "behaviors",
    "behavioural": "behavioral",
    "colour": "color",
    "labour": "labor",
    "aetiology": "etiology",
    "ageing": "aging",
    "centre": "center",
    "centres": "centers",
    "fibre": "fiber",
    "litre": "liter",
    "programme": "program",
    "programmes": "programs",
}
# Endings of words that American English spells -ise too (the suffix is not -ize): exercise,
# advise, supervise, surprise, otherwise, disguise, bruise, praise, noise, compromise... An
# ending such as "-mise" or "-rise" is not listed whole because optimise and catheterise do
# take -ize; those words are listed in full.
_ISE_ENDINGS = (
    "cise",
    "vise",
    "prise",
    "wise",
    "guise",
    "chise",
    "uise",
    "aise",
    "oise",
    "compromise",
    "premise",
    "promise",
    "demise",
    "surmise",
    "chemise",
    "expertise",
    "treatise",
    "advertise",
    "chastise",
    "merchandise",
    "paradise",
    "valise",
)
_ISE = re.compile(r"^(\w{3,}?)is(e|ed|es|ing|er|ers)$")
_YSE = re.compile(r"^(\w+)ys(e|ed|es|ing)$")  # analyse, dialyse, paralyse, haemolyse

# Words ending in -s that are not plurals.
_NOT_PLURAL = {
    "ascites",
    "biceps",
    "caries",
    "diabetes",
    "feces",
    "herpes",
    "measles",
    "mumps",
    "pancreas",
    "rabies",
    "rickets",
    "scabies",
    "series",
    "shingles",
    "species",
    "triceps",
}


def strip_footnote_markers(name: str) -> str:
    """The name without a footnote marker glued to its end (rules in the module docstring)."""
    name = _TRAILING_SUPERSCRIPTS.sub("", name.strip())
    stripped = _MARKER_AFTER_BRACKET.sub(r"\1", name)
    if stripped != name:
        return stripped.rstrip()
    last_word = name.rsplit(maxsplit=1)[-1] if name.split() else ""
    if len(last_word) >= 6 and last_word.isalpha():  # a 5-letter word plus its marker
        return _DOUBLED_MARKER.sub(r"\1", name)
    return name


def is_abbreviation(text: str) -> bool:
    """True when every word of ``text`` is written as an abbreviation: PML, IARs, SJS/TEN."""
    words = [word for word in re.split(r"[\s/,;&-]+|\band\b", text.strip()) if word]
    return bool(words) and all(_ABBREVIATION_WORD.match(word) for word in words)


def drop_bracketed_abbreviations(name: str) -> str:
    """ "Progressive multifocal leukoencephalopathy (PML)" -> "... leukoencephalopathy"."""

    def replace(match):
        return " " if is_abbreviation(match.group(1)) else match.group(0)

    return _BRACKETED.sub(replace, name).strip()


def _abbreviation_lookup(text: str) -> str:
    return " ".join(re.split(r"[\s/,;&\-–]+", text.casefold().strip()))


def expand_abbreviation(name: str) -> str:
    """The expansion of a name that is an abbreviation alone ("PML"), else the name."""
    return ABBREVIATIONS.get(_abbreviation_lookup(name), name)


def americanise_word(word: str) -> str:
    """One lower-case word in American spelling (British spellings listed above)."""
    if word in _BRITISH_WORDS:
        return _BRITISH_WORDS[word]
    for british, american in _BRITISH_PARTS:
        word = word.replace(british, american)
    if (match := _ISE.match(word)) and not f"{match.group(1)}ise".endswith(_ISE_ENDINGS):
        return f"{match.group(1)}iz{match.group(2)}"
    if match := _YSE.match(word):
        return f"{match.group(1)}yz{match.group(2)}"
    return word


def americanise(text: str) -> str:
    """Lower-case ``text`` with each word in American spelling."""
    return re.sub(r"\w+", lambda m: americanise_word(m.group(0)), text.casefold())


# American -> British, for searching both spellings. Applied only to make search variants,
# so a wrong guess costs nothing but a search term that matches nothing.
_AMERICAN_PARTS = [
    (re.compile(r"\bhem(?=[aeo])"), "haem"),  # hemorrhage, hematoma, hemophilia
    (re.compile(r"(?<=[a-z])emi(?=a|c)"), "aemi"),  # anemia, leukemia, ischemic
    (re.compile(r"\bedem"), "oedem"),
    (re.compile(r"\besophag"), "oesophag"),
    (re.compile(r"\bestr(?=o|a)"), "oestr"),
    (re.compile(r"rrhea"), "rrhoea"),
    (re.compile(r"pnea\b"), "pnoea"),
    (re.compile(r"\bpediatr"), "paediatr"),
    (re.compile(r"\bfet(?=al|us|o)"), "foet"),
    (re.compile(r"\bcec(?=um|al|itis)"), "caec"),
    (re.compile(r"\banesth"), "anaesth"),
    (re.compile(r"\btumor"), "tumour"),
    (re.compile(r"ization"), "isation"),
]


def britishise(text: str) -> str:
    text = text.casefold()
    for pattern, british in _AMERICAN_PARTS:
        text = pattern.sub(british, text)
    return text


def spelling_variants(text: str) -> list[str]:
    """``text`` with its American and British spellings, for a search that finds both."""
    variants = []
    for variant in (text, americanise(text), britishise(text)):
        if variant.casefold() not in {v.casefold() for v in variants}:
            variants.append(variant)
    return variants


def singular(word: str) -> str:
    """The singular of a regular English plural; other words unchanged (see docstring)."""
    if len(word) < 5 or word in _NOT_PLURAL or not word.isalpha():
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("oses") and len(word) >= 7:
        return word[:-4] + "osis"  # thromboses, stenoses
    if word.endswith(("sses", "uses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")) or not word.endswith("s"):
        return word
    return word[:-1]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def concern_key(name: str) -> str:
    """The grouping key of a safety-concern name (rules in the module docstring)."""
    name = strip_footnote_markers(name or "")
    name = drop_bracketed_abbreviations(name)
    name = expand_abbreviation(name)
    text = _fold(name).replace("≥", ">=").replace("≤", "<=")
    text = re.sub(r"['’‘`´]", "", text)
    text = _PUNCTUATION.sub(" ", text).replace("_", " ")
    text = _SIGNS.sub(r" \1 ", text)
    words = [americanise_word(word) for word in text.split()]
    if words:
        words[-1] = singular(words[-1])
    return " ".join(words)


def display_name(names) -> str:
    """The name shown for a group of names sharing a key.

    The most frequent name wins, without its footnote marker; a bare abbreviation ("PML")
    loses to a spelled-out name; ties go to the name with fewer capitals (sentence case
    over Title Case), then the shorter, then the first alphabetically.
    """
    return display_name_of_counts(Counter(names))


def display_name_of_counts(counts) -> str:
    """``display_name`` of names given as {name: how many concerns use it}."""
    cleaned = Counter()
    for name, count in counts.items():
        if name and name.strip():
            cleaned[strip_footnote_markers(name)] += count
    if not cleaned:
        raise ValueError("display_name needs at least one non-empty name.")

    def rank(name):
        bare = _abbreviation_lookup(name) in ABBREVIATIONS
        capitals = sum(char.isupper() for char in name)
        return (bare, -cleaned[name], capitals, len(name), name.casefold(), name)

    return min(cleaned, key=rank)
