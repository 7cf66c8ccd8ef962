"""Our own lexicon, read from ``extract/data/*.txt`` on first use.

The words describe the genre (instrument words, agency words, suffixes that
close a name, verbs that open a clause, generic modifiers), never the names of
one report, so the rules built on them carry over to reports nobody here has
seen.  Files are read lazily and cached: importing this module does no work.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True, eq=False)
class Lexicon:
    agency_words: frozenset[str]
    agency_suffixes: tuple[str, ...]
    level_prefixes: tuple[str, ...]
    zone_suffixes: tuple[str, ...]
    project_suffixes: tuple[str, ...]
    company_suffixes: tuple[str, ...]
    funding_words: frozenset[str]
    funding_suffixes: tuple[str, ...]
    #: head -> True when the head closes a policy name at once ("名单"), False when it may be followed
    policy_heads: dict[str, bool]
    policy_triggers: tuple[str, ...]
    quote_heads: tuple[str, ...]
    leadin_words: frozenset[str]
    build_verbs: frozenset[str]
    generic_words: frozenset[str]
    zone_generic: frozenset[str]
    directions: tuple[str, ...]
    places: frozenset[str]
    #: phrases kept whole because a conjunction or time word inside them would end a name
    name_words: frozenset[str]
    #: utilities listed beside departments (供电) that are not government bodies
    utility_words: frozenset[str]
    #: heads of honours, qualifications and programmes (高新技术企业, 绿色工厂, 众创空间)
    honour_heads: tuple[str, ...] = ()
    #: words that open a bond's name (新增专项债券, 再融资一般债券): part of the instrument
    bond_modifiers: tuple[str, ...] = ()

    def user_words(self) -> list[str]:
        """Words the segmenter must keep whole, so suffix grammars see them as one token."""
        words: set[str] = set(self.agency_words) | set(self.funding_words)
        words |= {w for w in self.project_suffixes if len(w) > 1}
        words |= {w for w in self.zone_suffixes if len(w) > 1}
        words |= {w for w in self.company_suffixes if len(w) > 1}
        words |= {w for w in self.funding_suffixes if len(w) > 1}
        words |= {w for w in self.policy_heads if len(w) > 1}
        words |= {w for w in self.honour_heads if len(w) > 1}
        words |= {w for w in self.leadin_words if len(w) > 1}
        words |= {w for w in self.build_verbs if len(w) > 1}
        words |= set(self.places)
        words |= set(self.name_words)
        return sorted(words)


def _lines(name: str) -> list[str]:
    text = resources.files("extract").joinpath("data", name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def _longest_first(words: list[str]) -> tuple[str, ...]:
    return tuple(sorted(dict.fromkeys(words), key=lambda w: (-len(w), w)))


@cache
def load_lexicon() -> Lexicon:
    heads: dict[str, bool] = {}
    for line in _lines("policy_heads.txt"):
        kind, _, word = line.partition("\t")
        heads[word.strip()] = kind.strip() == "strong"
    return Lexicon(
        agency_words=frozenset(_lines("agency_words.txt")),
        agency_suffixes=_longest_first(_lines("agency_suffixes.txt")),
        level_prefixes=_longest_first(_lines("level_prefixes.txt")),
        zone_suffixes=_longest_first(_lines("zone_suffixes.txt")),
        project_suffixes=_longest_first(_lines("project_suffixes.txt")),
        company_suffixes=_longest_first(_lines("company_suffixes.txt")),
        funding_words=frozenset(_lines("funding_words.txt")),
        funding_suffixes=_longest_first(_lines("funding_suffixes.txt")),
        policy_heads=heads,
        policy_triggers=_longest_first(_lines("policy_triggers.txt")),
        quote_heads=_longest_first(_lines("quote_heads.txt")),
        leadin_words=frozenset(_lines("leadin_words.txt")),
        build_verbs=frozenset(_lines("build_verbs.txt")),
        generic_words=frozenset(_lines("generic_words.txt")),
        zone_generic=frozenset(_lines("zone_generic.txt")),
        directions=_longest_first(_lines("directions.txt")),
        places=frozenset(_lines("places.txt")),
        name_words=frozenset(_lines("name_words.txt")),
        utility_words=frozenset(_lines("utility_words.txt")),
        honour_heads=_longest_first(_lines("honour_heads.txt")),
        bond_modifiers=_longest_first(_lines("bond_modifiers.txt")),
    )
