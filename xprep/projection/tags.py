"""Tag projection through word alignments.

Policy, explicit and counted:
- a target word aligned to one source word takes its tag;
- aligned to several (many-to-one): the tag of the leftmost source word among them that is not
  punctuation, so a content word wins over a comma;
- unaligned: ``unaligned`` decides: ``"fallback"`` gives the fixed ``fallback_tag`` (``X`` for UPOS,
  ``O`` for NER), ``"neighbour"`` copies the nearest aligned target word's tag (left first);
- NER tags in BIO form are repaired afterwards: an ``I-X`` that does not follow ``B-X``/``I-X`` becomes ``B-X``.
Coverage (the share of target words that received an aligned tag) is returned with the tags.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xprep.projection.align import Links

PUNCT_TAGS = frozenset({"PUNCT", ".", ",", ":", "``", "''", "-LRB-", "-RRB-"})


@dataclass(frozen=True)
class TagPolicy:
    unaligned: str = "fallback"
    fallback_tag: str = "X"
    bio: bool = False


def project_tags(
    src_tags: Sequence[str], n_tgt: int, links: Links, policy: TagPolicy = TagPolicy()
) -> tuple[list[str], float]:
    """Tags for ``n_tgt`` target words from source tags and links; returns (tags, coverage)."""
    by_tgt: dict[int, list[int]] = {}
    for i, j in links:
        if 0 <= i < len(src_tags) and 0 <= j < n_tgt:
            by_tgt.setdefault(j, []).append(i)
    tags: list[str | None] = [None] * n_tgt
    for j, sources in by_tgt.items():
        sources.sort()
        content = [i for i in sources if src_tags[i] not in PUNCT_TAGS]
        tags[j] = src_tags[(content or sources)[0]]
    aligned = sum(t is not None for t in tags)
    if policy.unaligned == "neighbour" and aligned:
        filled: list[str | None] = list(tags)
        for j in range(n_tgt):
            if filled[j] is None:
                left = next((tags[k] for k in range(j - 1, -1, -1) if tags[k] is not None), None)
                right = next((tags[k] for k in range(j + 1, n_tgt) if tags[k] is not None), None)
                filled[j] = left or right
        tags = filled
    out = [t if t is not None else policy.fallback_tag for t in tags]
    if policy.bio:
        out = repair_bio(out)
    return out, (aligned / n_tgt if n_tgt else 1.0)


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
