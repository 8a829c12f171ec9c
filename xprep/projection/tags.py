"""Tag projection through word alignments.

Policy, explicit and counted:
- a target word aligned to one source word takes its tag;
- aligned to several (many-to-one): the tag of the rightmost source word among them that is not
  punctuation (the head of an English noun phrase or compound is its last word: ``special assistant``
  -> ``Sonderberaterin`` is a noun), so a content word also wins over a comma; for BIO tags the leftmost,
  so a word aligned to a whole name begins it;
- a corpus projected together is then refined (``refine``, see :mod:`xprep.projection.refine`): script
  rules, a type dictionary read off the projections, and a probe on the encoder's word vectors;
- still untagged: ``unaligned`` decides: ``"fallback"`` gives the fixed ``fallback_tag`` (``X`` for UPOS,
  ``O`` for NER), ``"neighbour"`` copies the nearest tagged target word's tag (left first);
- NER tags in BIO form are repaired afterwards: an ``I-X`` that does not follow ``B-X``/``I-X`` becomes ``B-X``.
Coverage (the share of target words that received a tag from a link, a rule or the type dictionary) is
returned with the tags.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from xprep.projection.align import Links
from xprep.projection.refine import is_upos, probe_refine, rule_tag, type_refine

PUNCT_TAGS = frozenset({"PUNCT", ".", ",", ":", "``", "''", "-LRB-", "-RRB-"})


@dataclass(frozen=True)
class TagPolicy:
    """``refine``: ``auto`` (the probe where the aligner has word vectors, else types; none for BIO),
    ``probe``, ``types`` or ``none`` (direct projection only). ``articles``: whether the source's definite
    article projects its tag (:mod:`xprep.projection.articles`; ``auto``: not onto a language without one);
    :meth:`for_languages` resolves it into ``unprojected``, the source words whose links carry no tag. A
    policy not resolved for a language pair (no language known) drops nothing, as ``keep`` would."""

    unaligned: str = "fallback"
    fallback_tag: str = "X"
    bio: bool = False
    refine: str = "auto"
    articles: str = "auto"
    unprojected: frozenset[str] = frozenset()

    def for_languages(self, src_lang: str, tgt_lang: str | None) -> TagPolicy:
        """This policy for one language pair (``articles`` resolved)."""
        from dataclasses import replace

        from xprep.projection.articles import unprojected_sources

        return replace(self, unprojected=unprojected_sources(self.articles, src_lang, tgt_lang))


@dataclass(frozen=True)
class TagItem:
    """One sentence to project: source words and tags, target words, links between them."""

    src_words: Sequence[str]
    src_tags: Sequence[str]
    tgt_words: Sequence[str]
    links: Links


Embed = Callable[[Sequence[Sequence[str]]], list[Any]]


def word_vectors(aligner: object) -> Embed | None:
    """The aligner's word-vector function for the probe (the encoder aligner's ``embed_words``), else None."""
    return getattr(aligner, "embed_words", None)


def direct_tags(src_tags: Sequence[str], n_tgt: int, links: Links, bio: bool = False) -> list[str | None]:
    """Each target word's tag through its links (None where unaligned), many-to-one as in the module doc."""
    by_tgt: dict[int, list[int]] = {}
    for i, j in links:
        if 0 <= i < len(src_tags) and 0 <= j < n_tgt:
            by_tgt.setdefault(j, []).append(i)
    tags: list[str | None] = [None] * n_tgt
    for j, sources in by_tgt.items():
        sources.sort()
        content = [i for i in sources if src_tags[i] not in PUNCT_TAGS] or sources
        tags[j] = src_tags[content[0] if bio else content[-1]]
    return tags


def refine_mode(policy: TagPolicy, embed: Embed | None) -> str:
    """The refinement that runs: ``auto`` resolved; BIO tags are never refined."""
    if policy.bio or policy.refine == "none":
        return "none"
    if policy.refine == "auto":
        return "probe" if embed is not None else "types"
    if policy.refine == "probe" and embed is None:
        from xprep.errors import InputError

        raise InputError("tag refinement 'probe' reads the encoder aligner's word vectors", hint="--tag-refine types")
    return policy.refine


def project_corpus(
    items: Sequence[TagItem], policy: TagPolicy = TagPolicy(), embed: Embed | None = None
) -> list[tuple[list[str], float]]:
    """Tags and coverage for every sentence of a corpus projected together (refined as ``policy`` says;
    ``embed`` gives word vectors for the probe: the encoder aligner's ``embed_words``)."""
    direct = [direct_tags(it.src_tags, len(it.tgt_words), _projecting(it, policy), policy.bio) for it in items]
    mode = refine_mode(policy, embed)
    typed = direct  # what links, rules and the type dictionary give: the coverage
    rules = is_upos([t for it in items for t in it.src_tags])
    if mode in ("types", "probe"):
        typed = type_refine([it.tgt_words for it in items], direct, rules)
    tags = typed
    if mode == "probe" and embed is not None and items:
        locked = [[rules and rule_tag(w) is not None for w in it.tgt_words] for it in items]
        src_vecs = embed([it.src_words for it in items])
        tgt_vecs = embed([it.tgt_words for it in items])
        tags = probe_refine(src_vecs, [it.src_tags for it in items], tgt_vecs, typed, locked)
    out = []
    for row, seen in zip(tags, typed, strict=True):
        out.append((_fill(row, policy), sum(t is not None for t in seen) / len(row) if row else 1.0))
    return out


def _projecting(item: TagItem, policy: TagPolicy) -> Links:
    """The links that carry a tag: those of ``policy.unprojected`` source words left out."""
    if not policy.unprojected:
        return item.links
    words = item.src_words
    return {(i, j) for i, j in item.links if not (0 <= i < len(words) and words[i].lower() in policy.unprojected)}


def project_tags(
    src_tags: Sequence[str], n_tgt: int, links: Links, policy: TagPolicy = TagPolicy()
) -> tuple[list[str], float]:
    """Tags for ``n_tgt`` target words of one sentence, without corpus refinement; (tags, coverage)."""
    tags = direct_tags(src_tags, n_tgt, links, policy.bio)
    return _fill(tags, policy), (sum(t is not None for t in tags) / n_tgt if n_tgt else 1.0)


def _fill(tags: Sequence[str | None], policy: TagPolicy) -> list[str]:
    """Words still untagged: the nearest tagged word's tag (``neighbour``) or the fallback; BIO repaired."""
    filled = list(tags)
    if policy.unaligned == "neighbour" and any(t is not None for t in tags):
        for j, t in enumerate(tags):
            if t is None:
                left = next((tags[k] for k in range(j - 1, -1, -1) if tags[k] is not None), None)
                right = next((tags[k] for k in range(j + 1, len(tags)) if tags[k] is not None), None)
                filled[j] = left or right
    out = [t if t is not None else policy.fallback_tag for t in filled]
    return repair_bio(out) if policy.bio else out


def repair_bio(tags: Sequence[str]) -> list[str]:
    """Make a BIO sequence valid: ``I-X`` not continuing an ``X`` entity becomes ``B-X``."""
    out: list[str] = []
    for tag in tags:
        if tag.startswith("I-"):
            prev = out[-1] if out else "O"
            if prev == "O" or prev[2:] != tag[2:]:
                tag = "B-" + tag[2:]
        out.append(tag)
    return out
