"""The decision step: thresholds over check scores -> flags; counted, and optionally dropped.

Scores are computed once by :mod:`xprep.quality.checks`; changing a threshold here needs no recompute.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from xprep.quality.checks import langdetect_supports

# Flags 1% of 4,000 true translation pairs with multilingual-e5-small (0.8396 measured by
# scripts/calibrate_meaning.py, rounded; docs/translate.md "Checks")
DEFAULT_MIN_MEANING = 0.84


@dataclass(frozen=True)
class Thresholds:
    """A record is flagged when any rule below fires. Ratios are already script-normalised."""

    min_length_ratio: float = 0.5
    max_length_ratio: float = 2.0
    max_copy: float = 0.5
    max_repetition: int = 4
    min_langid_prob: float = 0.5
    # the meaning check's threshold (cosine similarity); None: DEFAULT_MIN_MEANING, and absent from manifests
    # of builds that do not score meaning (their configuration hash is unchanged by the check's existence)
    min_meaning: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None or k != "min_meaning"}

    def for_checks(self, checks: Sequence[str]) -> Thresholds:
        """These thresholds with the meaning threshold made explicit where the meaning check is scored."""
        if "meaning" in checks and self.min_meaning is None:
            return dataclasses.replace(self, min_meaning=DEFAULT_MIN_MEANING)
        return self


def flags(quality: dict[str, Any], target_lang: str, th: Thresholds, langid_supported: bool) -> list[str]:
    """Reasons a record is flagged (empty: it passes), from its ``meta.quality`` scores."""
    out = []
    lid = quality.get("langid") or quality.get("lingua")
    # lingua's confidence is relative to the other candidates, so only its decision counts
    low = lid is not None and lid.get("backend") != "lingua" and lid["prob"] < th.min_langid_prob
    if lid and langid_supported and (lid["lang"] != target_lang or low):
        out.append("lang_mismatch")
    ratio = quality.get("length_ratio")
    if ratio is not None and not th.min_length_ratio <= ratio <= th.max_length_ratio:
        out.append("length_ratio_outlier")
    if quality.get("copy", 0) > th.max_copy:
        out.append("untranslated_copy")
    if quality.get("repetition", 1) >= th.max_repetition:
        out.append("repetition")
    sim = (quality.get("meaning") or {}).get("min")
    if sim is not None and sim < (DEFAULT_MIN_MEANING if th.min_meaning is None else th.min_meaning):
        out.append("meaning_low")
    return out


@dataclass
class QualityTally:
    """Counts over a build: how many records each rule flags, and the langid match rate."""

    target_lang: str
    thresholds: Thresholds
    records: int = 0
    flagged: int = 0
    langid_matches: int = 0
    reasons: Counter | None = None
    ratio_sum: float = 0.0
    backend: str = "langdetect"

    def __post_init__(self) -> None:
        from xprep.quality.checks import lingua_supports

        self.reasons = Counter()
        supports = lingua_supports if self.backend == "lingua" else langdetect_supports
        self.langid_supported = supports(self.target_lang)

    def add(self, quality: dict[str, Any], extra: list[str] | tuple[str, ...] = ()) -> list[str]:
        """Count one record's scores and ``extra`` flags found elsewhere (MT: ``truncated``); returns its flags."""
        found = flags(quality, self.target_lang, self.thresholds, self.langid_supported) + list(extra)
        self.records += 1
        self.flagged += bool(found)
        self.reasons.update(found)
        lid = quality.get("langid") or quality.get("lingua")
        if lid and lid["lang"] == self.target_lang:
            self.langid_matches += 1
        self.ratio_sum += quality.get("length_ratio", 0.0)
        return found

    def summary(self) -> dict[str, Any]:
        n = max(self.records, 1)
        return {
            "records": self.records,
            "flagged": self.flagged,
            "flag_reasons": dict(self.reasons),
            "langid_rate": round(self.langid_matches / n, 4) if self.langid_supported else None,
            "langid_supported": self.langid_supported,
            "langid_backend": self.backend,
            "mean_length_ratio": round(self.ratio_sum / n, 4),
            "thresholds": self.thresholds.as_dict(),
        }
