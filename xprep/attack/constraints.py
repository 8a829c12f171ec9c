"""Constraints: which sites, candidates and edit sets an attack may use (a registry).

- ``label-rules``: the rules the perturbations enforce. Pair: negation words, numbers and capitalised
  non-initial words (names) never change, and a word type changes the same way in both sentences (one site,
  :mod:`xprep.attack.sites`). Span: only the question changes (plus an appended distractor), so answer spans
  stay valid. Tagging: a token becomes exactly one token (no spaces, tabs or newlines), so tags keep their
  positions. Every candidate record is validated.
- ``entities``: tagging only: tokens inside gold entities (``B-``/``I-`` tags) and, for POS, ``PROPN`` and
  ``NUM`` tokens never change (PAN-X/UD-POS context attacks).
- ``stopwords``: the language's stop-words (:mod:`xprep.attack.stopwords`) never change.
- ``max-change``: at most ``max_change`` of the attacked words change (one edit is always allowed).
- ``similarity``: the multilingual encoder's cosine similarity (mean-pooled last layer) between the
  original and the adversarial text stays at or above a floor; its forward passes are counted apart from
  the victim's queries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from xprep.attack.sites import APPEND, Site, View
from xprep.attack.stopwords import is_stopword
from xprep.attack.transforms import Candidate
from xprep.perturb.edits import protected_word
from xprep.records import PairRecord, SpanRecord, TaggingRecord
from xprep.registry import Registry

PROTECTED_POS = frozenset({"PROPN", "NUM"})


@dataclass
class Settings:
    max_change: float = 1.0
    similarity: Similarity | None = None


@dataclass(frozen=True)
class Constraint:
    name: str
    description: str
    site_ok: Callable[[Site, View], bool] | None = None
    candidate_ok: Callable[[Site, Candidate, View], bool] | None = None
    edits_ok: Callable[[Mapping[str, str], View, Mapping[str, Site], Settings], bool] | None = None


def _label_site(site: Site, view: View) -> bool:
    rec = view.rec
    if isinstance(rec, PairRecord):
        return not any(protected_word(view.words[f][i], i == 0) for f, i in site.places)
    if isinstance(rec, SpanRecord):
        return site.key == APPEND or site.field == "question"
    return True


def _label_candidate(site: Site, cand: Candidate, view: View) -> bool:
    if not cand.text.strip():
        return False
    if isinstance(view.rec, TaggingRecord):
        return not any(ch.isspace() for ch in cand.text)
    return True


def _entity_site(site: Site, view: View) -> bool:
    rec = view.rec
    if not isinstance(rec, TaggingRecord):
        return True
    tag = rec.tags[site.places[0][1]]
    return not (tag[:2] in ("B-", "I-") or tag in PROTECTED_POS)


def _stopword_site(site: Site, view: View) -> bool:
    return site.key == APPEND or not is_stopword(site.word, view.rec.lang)


def _max_change(edits: Mapping[str, str], view: View, sites: Mapping[str, Site], settings: Settings) -> bool:
    return len(edits) <= 1 or view.changed_words(edits, sites) <= settings.max_change * max(view.n_words, 1)


CONSTRAINTS: Registry[Constraint] = Registry("attack constraint")
for _c in (
    Constraint(
        "label-rules",
        "negations, numbers, names, answer spans protected; one token per token",
        _label_site,
        _label_candidate,
    ),
    Constraint("entities", "tagging: gold entity, PROPN and NUM tokens protected", _entity_site),
    Constraint("stopwords", "the language's stop-words protected", _stopword_site),
    Constraint("max-change", "at most a share of the words changed", edits_ok=_max_change),
    Constraint("similarity", "multilingual-encoder cosine similarity floor (--min-similarity)"),
):
    CONSTRAINTS.add(_c.name, _c)


def allowed_sites(view: View, sites: Sequence[Site], names: Sequence[str]) -> list[Site]:
    """The sites every named constraint allows."""
    checks = [c.site_ok for c in map(CONSTRAINTS.get, names) if c.site_ok]
    return [s for s in sites if all(ok(s, view) for ok in checks)]


def allowed_candidates(view: View, site: Site, cands: Sequence[Candidate], names: Sequence[str]) -> list[Candidate]:
    checks = [c.candidate_ok for c in map(CONSTRAINTS.get, names) if c.candidate_ok]
    return [c for c in cands if all(ok(site, c, view) for ok in checks)]


def edits_allowed(
    edits: Mapping[str, str], view: View, sites: Mapping[str, Site], names: Sequence[str], settings: Settings
) -> bool:
    checks = [c.edits_ok for c in map(CONSTRAINTS.get, names) if c.edits_ok]
    return all(ok(edits, view, sites, settings) for ok in checks)


def attacked_text(view: View, rec: Any) -> str:
    """The attacked fields of ``rec`` joined by spaces (what the similarity floor compares)."""
    if isinstance(rec, TaggingRecord):
        return " ".join(rec.tokens)
    fields = [*view.fields, *(["context"] if isinstance(rec, SpanRecord) and "context" not in view.fields else [])]
    return " ".join(getattr(rec, f) for f in fields)


@dataclass
class Similarity:
    """Cosine similarity of mean-pooled last-layer states of an HF encoder (e.g. multilingual-e5-small)."""

    model_dir: str
    floor: float
    device: str = "cpu"
    prefix: str = "query: "
    passes: int = 0
    _model: Any = field(default=None, repr=False)
    _tok: Any = field(default=None, repr=False)

    def embed(self, texts: Sequence[str]) -> Any:
        import torch
        from transformers import AutoModel, AutoTokenizer

        from xprep.progress import quiet_loading

        if self._model is None:
            with quiet_loading():
                self._tok = AutoTokenizer.from_pretrained(self.model_dir)
                self._model = AutoModel.from_pretrained(self.model_dir).to(self.device).eval()
        enc = self._tok(
            [self.prefix + t for t in texts], padding=True, truncation=True, max_length=256, return_tensors="pt"
        ).to(self.device)
        with torch.inference_mode():
            hidden = self._model(**enc).last_hidden_state
        self.passes += 1
        mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
        return torch.nn.functional.normalize(pooled, dim=-1)

    def keep(self, original: str, texts: Sequence[str]) -> list[bool]:
        """Which of ``texts`` are at least ``floor`` similar to ``original`` (one batched pass)."""
        if not texts:
            return []
        emb = self.embed([original, *texts])
        sims = (emb[1:] @ emb[0]).tolist()
        return [s >= self.floor for s in sims]
