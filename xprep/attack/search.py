"""Search methods over edit sets, under a per-example query budget (a registry).

A :class:`Problem` holds one example: its view, the sites and candidates the constraints allow, the victim,
the goal and the budget. :meth:`Problem.score` turns edit sets into scored :class:`Attempt` s, all of a step
in one call to the victim (one batched forward pass up to its batch size), never past the budget, and never
scoring the same edit set twice.

- ``greedy-wir`` (greedy by word importance): every site's word is deleted once (one batch); sites are
  visited from the largest rise of the goal score (the loss) to the smallest; at each the best candidate is
  kept when it raises the score; stop at success (TextAttack's ``GreedyWordSwapWIR`` with ``delete``);
- ``beam``: a beam of width ``b``; each step extends every beam state with every candidate of every site it
  has not edited, keeps the ``b`` best (successes first); stop at success;
- ``polygloss``: left to right over the sites, a beam of width ``b`` over the embedded candidates of each
  word (keeping a word as it is is always a choice), as in Tan & Joty's (NAACL 2021) PolyGloss; it keeps both
  the strongest successful adversary (highest score) and the least perturbed one (fewest words changed), and
  returns the least perturbed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from xprep.attack.constraints import Settings, attacked_text, edits_allowed
from xprep.attack.goals import Verdict
from xprep.attack.sites import Site, View
from xprep.attack.transforms import Candidate
from xprep.attack.victim import Budget
from xprep.errors import InputError
from xprep.records import Record, TaggingRecord
from xprep.registry import Registry

Edits = tuple[tuple[str, str], ...]  # sorted (site key, new text)


@dataclass(frozen=True)
class Attempt:
    edits: Edits
    record: Record
    verdict: Verdict
    query: int  # the query (1-based, per example) that scored it
    changed: int  # words changed

    def rank(self) -> tuple[bool, float]:
        return (self.verdict.success, self.verdict.score)


@dataclass
class Problem:
    view: View
    sites: list[Site]
    candidates: dict[str, list[Candidate]]  # site key -> allowed candidates
    judge: Callable[[Record, dict[str, Any]], Verdict]
    victim: Any
    budget: Budget
    constraints: Sequence[str]
    settings: Settings
    start: Attempt | None = None
    seen: dict[Edits, Attempt | None] = field(default_factory=dict)
    first_success: int | None = None  # the query at which a success was first scored
    invalid: int = 0  # candidate records refused by validation (not queried)

    def __post_init__(self) -> None:
        self.by_key = {s.key: s for s in self.sites}

    def begin(self) -> Attempt:
        """Score the clean example (one query)."""
        (out,) = self.victim.outputs([self.view.rec], self.budget)
        self.start = Attempt((), self.view.rec, self.judge(self.view.rec, out), self.budget.used, 0)
        self.seen[()] = self.start
        return self.start

    def extend(self, base: Edits, site: Site) -> list[Edits]:
        """Edit sets ``base`` + one candidate at ``site``, in candidate order."""
        rest = tuple(e for e in base if e[0] != site.key)
        return [tuple(sorted((*rest, (site.key, c.text)))) for c in self.candidates.get(site.key, [])]

    def score(self, edit_sets: Sequence[Edits]) -> list[Attempt]:
        """Scored attempts of the new, allowed edit sets (in order; cut where the budget ends)."""
        todo: list[tuple[Edits, Record]] = []
        for edits in dict.fromkeys(edit_sets):
            if edits in self.seen:
                continue
            as_dict = dict(edits)
            if not edits_allowed(as_dict, self.view, self.by_key, self.constraints, self.settings):
                self.seen[edits] = None
                continue
            try:
                todo.append((edits, self.view.apply(as_dict, self.by_key)))
            except InputError:  # the edited record would not be valid (e.g. an emptied field): never an adversary
                self.seen[edits] = None
                self.invalid += 1
        sim = self.settings.similarity
        if sim is not None and todo:
            keep = sim.keep(attacked_text(self.view, self.view.rec), [attacked_text(self.view, r) for _, r in todo])
            for (edits, _), ok in zip(todo, keep, strict=True):
                if not ok:
                    self.seen[edits] = None
            todo = [t for t, ok in zip(todo, keep, strict=True) if ok]
        before = self.budget.used
        outs = self.victim.outputs([r for _, r in todo], self.budget)
        got = []
        for k, ((edits, rec), out) in enumerate(zip(todo, outs, strict=False)):
            a = Attempt(
                edits, rec, self.judge(rec, out), before + k + 1, self.view.changed_words(dict(edits), self.by_key)
            )
            self.seen[edits] = a
            if a.verdict.success and self.first_success is None:
                self.first_success = a.query
            got.append(a)
        return got

    def importance(self) -> list[Site]:
        """Sites by how much deleting their word raises the goal score (one batch), most important first."""
        assert self.start is not None
        unk = getattr(self.victim.tok, "unk_token", None) or "<unk>"
        filler = unk if isinstance(self.view.rec, TaggingRecord) else ""
        sites = [s for s in self.sites if s.word]
        records = [self.view.apply({s.key: filler}, self.by_key, validate=False) for s in sites]
        outs = self.victim.outputs(records, self.budget)
        base = self.start.verdict.score
        gain = {s.key: self.judge(r, o).score - base for s, r, o in zip(sites, records, outs, strict=False)}
        ranked = sorted(sites, key=lambda s: (-gain.get(s.key, float("-inf")), s.order))
        return ranked + [s for s in self.sites if not s.word]


@dataclass(frozen=True)
class Found:
    best: Attempt  # the adversary written (or the strongest failed attempt)
    strongest: Attempt | None = None  # polygloss: the highest-scoring success


def greedy_wir(p: Problem, width: int = 1) -> Found:
    cur = p.start
    assert cur is not None
    for site in p.importance():
        if cur.verdict.success or p.budget.left == 0:
            break
        scored = p.score(p.extend(cur.edits, site))
        if scored:
            best = max(scored, key=Attempt.rank)
            if best.rank() > cur.rank():
                cur = best
    return Found(cur)


def beam(p: Problem, width: int = 3) -> Found:
    assert p.start is not None
    states, best = [p.start], p.start
    while p.budget.left and not best.verdict.success:
        sets = [e for s in states for site in p.sites if site.key not in dict(s.edits) for e in p.extend(s.edits, site)]
        scored = p.score(sets)
        if not scored:
            break
        states = sorted(scored, key=Attempt.rank, reverse=True)[:width]
        if states[0].rank() > best.rank():
            best = states[0]
    return Found(best)


def polygloss(p: Problem, width: int = 3) -> Found:
    assert p.start is not None
    states = [p.start]
    strongest: Attempt | None = None
    least: Attempt | None = None
    for site in sorted(p.sites, key=lambda s: s.order):
        if p.budget.left == 0:
            break
        scored = p.score([e for s in states for e in p.extend(s.edits, site)])
        for a in scored:
            if a.verdict.success:
                if strongest is None or a.verdict.score > strongest.verdict.score:
                    strongest = a
                if least is None or (a.changed, -a.verdict.score) < (least.changed, -least.verdict.score):
                    least = a
        states = sorted([*states, *scored], key=lambda a: a.verdict.score, reverse=True)[:width]
    if least is not None:
        return Found(least, strongest)
    return Found(max(states, key=Attempt.rank))


SEARCHES: Registry[Callable[[Problem, int], Found]] = Registry("attack search")
SEARCHES.add("greedy-wir", greedy_wir)
SEARCHES.add("beam", beam)
SEARCHES.add("polygloss", polygloss)
