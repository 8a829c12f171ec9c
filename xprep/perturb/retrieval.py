"""Perturbed retrieval sets (Tatoeba, BUCC): only the non-English side changes.

Tatoeba folders hold ``tatoeba.X-eng.X`` / ``tatoeba.X-eng.eng`` line-aligned pairs; BUCC folders hold
``{lang}-en.{split}.{lang}`` / ``.en`` (``id<TAB>sentence``) and ``.gold``. The non-English sentences go
through the same word-level edits as every other kind (the same per-sentence SHA-256 seeding, NFC, grapheme
clusters); English files and gold files are copied as they are. Perturbations whose registry entry does not
declare the ``retrieval`` kind (word order, QA distractors) are refused.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xprep.errors import InputError
from xprep.perturb.lexicons import lexicon_for
from xprep.perturb.records import edit_sentence
from xprep.perturb.registry import PERTURBATIONS
from xprep.perturb.spec import Request

_TATOEBA = re.compile(r"^tatoeba\.([a-z]{3})-eng\.([a-z]{3})$")
_BUCC = re.compile(r"^([a-z]{2})-en\.([a-z]+)\.([a-z]{2}|gold)$")


def perturb_sentence(
    text: str, name: str, rate: float, seed: int, task: str, lang: str, sid: str, lexicon: dict | None = None
) -> tuple[str, int, int]:
    """(perturbed text, words changed, words that could change) for one sentence; a perturbation that does
    not declare the retrieval kind, a missing lexicon or a bad rate raise InputError."""
    spec = PERTURBATIONS.get(name)
    if spec.refusal("retrieval", task) is not None:
        raise InputError(f"'{name}' does not apply to retrieval", hint="word-level perturbations only")
    spec.check_request(rate, lexicon)
    ed = edit_sentence(spec, Request(name, rate, seed, task, lexicon=lexicon), text, lang, sid)
    return ed.text, ed.changed, ed.units


def _two_letter(code: str) -> str:
    """Tatoeba's three-letter file codes (deu) as the two-letter codes lexicon files are named by (de)."""
    from xprep.evaluate.export import TATOEBA_CODES

    return TATOEBA_CODES.get(code, code)


def perturb_retrieval(
    source: Path, out: Path, name: str, rate: float, seed: int, lexicons: Sequence[Any] = ()
) -> dict[str, Any]:
    """Copy a Tatoeba or BUCC folder to ``out`` with its non-English sentences perturbed; returns the manifest
    (also written to ``out/manifest.json``) with the applied rate per file."""
    from xprep import __version__
    from xprep.io import atomic_dir

    source = Path(source)
    files = sorted(p for p in source.iterdir() if p.is_file()) if source.is_dir() else []
    tatoeba = [p for p in files if _TATOEBA.match(p.name)]
    bucc = [p for p in files if _BUCC.match(p.name)]
    if not tatoeba and not bucc:
        raise InputError("no Tatoeba (tatoeba.X-eng.X) or BUCC ({lang}-en.test.{lang}) files here", where=str(source))
    applied: dict[str, dict[str, Any]] = {}
    with atomic_dir(out) as tmp:
        for path in tatoeba + bucc:
            m = _TATOEBA.match(path.name)
            if m:
                task, lang, side, tabbed = "tatoeba", m.group(1), m.group(2), False
            else:
                m = _BUCC.match(path.name)
                task, lang, side, tabbed = "bucc", m.group(1), m.group(3), True  # type: ignore[union-attr]
            if side in ("eng", "en", "gold"):
                shutil.copyfile(path, tmp / path.name)  # the English side and the gold pairs stay as they are
                continue
            lines, changed, units = [], 0, 0
            text_lines = path.read_text(encoding="utf-8").splitlines()
            vocab = {w for line in text_lines for w in line.split()}
            lexicon = lexicon_for(lexicons, _two_letter(lang), vocab) if lexicons else None
            for lineno, line in enumerate(text_lines, 1):
                sid, text = line.split("\t", 1) if tabbed and "\t" in line else (str(lineno), line)
                new, c, u = perturb_sentence(text, name, rate, seed, task, lang, sid, lexicon)
                lines.append(f"{sid}\t{new}" if tabbed else new)
                changed, units = changed + c, units + u
            (tmp / path.name).write_text("".join(f"{x}\n" for x in lines), encoding="utf-8")
            applied[path.name] = {
                "changed": changed,
                "units": units,
                "rate": round(changed / units, 4) if units else 0.0,
            }
        manifest = {
            "declared": {
                "xprep_version": __version__,
                "source": str(source.resolve()),
                "perturbation": {"name": name, "rate": rate, "seed": seed, "side": "non-English only"},
            },
            "computed": {"applied": applied},
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest
