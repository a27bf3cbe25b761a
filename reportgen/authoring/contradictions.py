"""Commentary that says a figure rose when the data says it fell (or the other way round).

A deliberately simple check (README "Commentary that contradicts the figures"), so that its
warnings are few and clear rather than many and vague:

- only the panels that describe the month ("What's working well?", "What are we worried
  about?"); "What are we doing about it?" speaks of plans ("we aim to increase …");
- a sentence counts when it names exactly one of the page's measures — its short label, its title,
  or its title without a leading "Number of" / "% of" / "Rate of" — and a direction word
  (increase, rise, higher; decrease, fall, lower, in any tense) stands within a few words of it;
- a direction word after a negation ("did not rise"), after "to" or a modal ("to increase",
  "will fall"), or comparing with something ("higher than the target", but not "higher than last
  month") is not a claim about this month's change;
- it is checked against the direction the page shows; a measure with no change, no previous
  figure, or a cumulative count (compared with the same month last year, so "rose" is ambiguous)
  is not checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reportgen.assess import Assessment, assess_measure
from reportgen.model import Commentary, Dataset, Measure
from reportgen.months import Month
from reportgen.problems import Problems
from reportgen.render.formatting import format_observation

UP_WORDS = frozenset({"increase", "increased", "increases", "increasing", "rise", "rises", "rose",
                      "risen", "rising", "higher"})
DOWN_WORDS = frozenset({"decrease", "decreased", "decreases", "decreasing", "fall", "falls",
                        "fell", "fallen", "falling", "lower"})
NEGATIONS = frozenset({"not", "no", "never", "nor", "neither", "without", "didn't", "hasn't",
                       "haven't", "hadn't", "wasn't", "weren't", "isn't", "aren't", "won't"})
INTENTIONS = frozenset({"to", "will", "would", "should", "could", "may", "might", "must", "can",
                        "shall"})
# "higher than …" compares with something; these words after "than" make it a change over time.
CHANGE_AFTER_THAN = frozenset({"last", "previous", "in", "at", "before", "earlier"})
# A short label that is only a unit word ("Number", "Rate") names nothing in a sentence.
GENERIC_NAMES = frozenset({"number", "rate", "percentage", "proportion", "%", "total", "count",
                           "average"})
# How far (in words) a direction word may stand from the measure's name.
NEAR = 8
NEGATION_REACH = 3
CHECKED_PANELS = {"working_well": "What's working well?",
                  "worried_about": "What are we worried about?"}
LEADING_UNIT_WORDS = re.compile(
    r"^(?:the\s+)?(?:number|no\.|percentage|proportion|rate|%|average|count)\s+(?:of\s+)?",
    re.IGNORECASE)

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")


@dataclass(frozen=True)
class Contradiction:
    measure: Measure
    column: str
    said: str  # "rose" / "fell": what the commentary claims
    excerpt: str  # the sentence, cut short


def names(measure: Measure) -> list[str]:
    """What the commentary may call the measure, longest first."""
    candidates = {measure.title, measure.label, LEADING_UNIT_WORDS.sub("", measure.title)}
    return sorted((n.strip() for n in candidates
                   if len(n.strip()) >= 2 and n.strip().lower() not in GENERIC_NAMES),
                  key=len, reverse=True)


def _name_pattern(name: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in name.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def _word_spans(sentence: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group().lower().replace("’", "'"))
            for m in _WORD.finditer(sentence)]


def _claims(words: Sequence[tuple[int, int, str]], index: int) -> str | None:
    """'up', 'down' or None: what the direction word at index says of this month's change."""
    word = words[index][2]
    claim = "up" if word in UP_WORDS else "down" if word in DOWN_WORDS else None
    if claim is None:
        return None
    before = [w for _, _, w in words[max(0, index - NEGATION_REACH):index]]
    if any(w in NEGATIONS or w.endswith("n't") for w in before):
        return None
    if before and before[-1] in INTENTIONS:
        return None
    after = [w for _, _, w in words[index + 1:index + 4] if w != "the"]
    if word in ("higher", "lower") and after[:1] == ["than"] and (
            len(after) < 2 or after[1] not in CHANGE_AFTER_THAN):
        return None  # "higher than the target" compares; "higher than last month" is a change
    return claim


def _sentences(text: str) -> Iterable[str]:
    return (s.strip() for s in _SENTENCE_END.split(text) if s.strip())


def _named_span(sentence: str, measure: Measure) -> tuple[int, int] | None:
    for name in names(measure):
        found = _name_pattern(name).search(sentence)
        if found:
            return found.span()
    return None


def _most_specific(named: list[tuple[Assessment, tuple[int, int]]]
                   ) -> list[tuple[Assessment, tuple[int, int]]]:
    """A name inside a longer one is the longer one's ("CiN" in "Number of CiN")."""
    def inside(span: tuple[int, int], other: tuple[int, int]) -> bool:
        return other != span and other[0] <= span[0] and span[1] <= other[1]
    return [(a, span) for a, span in named if not any(inside(span, o) for _, o in named)]


def claimed_direction(sentence: str, span: tuple[int, int]) -> str | None:
    """The direction the sentence claims near the named measure: 'up', 'down', or None when it
    claims neither or both."""
    words = _word_spans(sentence)
    first = next((i for i, (s, e, _) in enumerate(words) if e > span[0]), len(words))
    last = max((i for i, (s, _, _) in enumerate(words) if s < span[1]), default=first)
    near = range(max(0, first - NEAR), min(len(words), last + NEAR + 1))
    claims = {_claims(words, i) for i in near if not first <= i <= last} - {None}
    return claims.pop() if len(claims) == 1 else None


def contradictions(commentary: Commentary, assessments: Sequence[Assessment]
                   ) -> list[tuple[Contradiction, Assessment]]:
    """Each sentence of the checked panels that says one of the page's measures moved the other
    way from the figures."""
    checked = {a.measure.id for a in assessments
               if a.direction in ("up", "down") and a.measure.kind != "cumulative"}
    found = []
    for column in CHECKED_PANELS:
        for sentence in _sentences(getattr(commentary, column)):
            named = _most_specific([(a, span) for a in assessments
                                    if (span := _named_span(sentence, a.measure)) is not None])
            if len(named) != 1 or named[0][0].measure.id not in checked:
                continue  # names none, or several: whose figure it speaks of is not clear
            assessment, span = named[0]
            said = claimed_direction(sentence, span)
            if said is not None and said != assessment.direction:
                excerpt = sentence if len(sentence) <= 90 else sentence[:87] + "…"
                found.append((Contradiction(assessment.measure, column,
                                            "rose" if said == "up" else "fell", excerpt),
                              assessment))
    return found


def describe(contradiction: Contradiction, assessment: Assessment) -> str:
    """The warning: what the words say, what the figures say."""
    unit = assessment.measure.unit
    moved = "rose" if assessment.direction == "up" else "fell"
    return (f"'{CHECKED_PANELS[contradiction.column]}' says {assessment.measure.id} "
            f"{contradiction.said} (\"{contradiction.excerpt}\"), but the figure {moved}: "
            f"{format_observation(assessment.previous, unit)} in {assessment.compared_with} → "
            f"{format_observation(assessment.observation, unit)} in {assessment.reported}")


def warn_about_contradictions(data: Dataset, period: Month, tolerance: float,
                              problems: Problems) -> None:
    """One warning per sentence whose words and figures disagree."""
    for page, month in sorted(key for key in data.commentary if key[1] == period):
        on_page = [assess_measure(data, m, period, tolerance)
                   for m in data.measures if m.page == page]
        for contradiction, assessment in contradictions(data.commentary[(page, month)], on_page):
            problems.warning("commentary", f"page '{page}' for {period}: "
                                           f"{describe(contradiction, assessment)}; is the "
                                           f"commentary right?", column=contradiction.column)
