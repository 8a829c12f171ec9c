"""The build manifest: what was asked (declared), what happened (computed), and a one-line signature.

``manifest.json`` sits in every build cell. ``verify`` recomputes the records' hash and counts and
checks the HF dataset beside them, so a copied or edited build is caught.
"""

from __future__ import annotations

import json
import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from xprep.errors import InputError
from xprep.hashing import stable_hash

MANIFEST = "manifest.json"
RECORDS = "records.jsonl"
COMPLETE = ".complete"


@dataclass
class Manifest:
    """Every field is written to ``manifest.json``.

    declared: ``xprep_version``, ``command``, ``task`` (name, kind, split, hub ids), ``source``
    (file path + sha256, or hub ids + revisions), ``languages`` (source, target), ``model`` (path,
    family, checksum, quantization, source), ``decoding`` (every CTranslate2 option), ``device``,
    ``segmentation``, ``projection`` (method chain), ``checks`` (names and thresholds), ``filter``.
    computed: ``counts`` (in, out, dropped by reason), ``quality`` (flag counts, langid rate, mean
    length ratio), ``projection`` (status counts and failure reasons), ``translation`` (segments,
    unique, cache hits, translated, split, truncated, tokens), ``timing`` (wall, MT, segments/s),
    ``peak_rss_mb``, ``versions``, ``records_sha256``.
    """

    declared: dict[str, Any]
    computed: dict[str, Any] = field(default_factory=dict)

    def signature(self) -> str:
        """One line naming everything that decides the output, e.g. for papers and cache keys."""
        d = self.declared
        model = d.get("model") or {}
        dec = d.get("decoding") or {}
        parts = [
            f"xprep:{d.get('xprep_version')}",
            f"task:{d['task']['name']}/{d['task']['split']}",
            f"lang:{d['languages']['source']}-{d['languages']['target']}",
        ]
        if model:
            parts.append(f"model:{model.get('family')}@{str(model.get('checksum'))[:10]}")
            parts.append(f"quant:{model.get('quantization')}")
            if (d.get("device") or {}).get("compute_type"):  # what ran (e.g. int8_float16), not what was asked
                parts.append(f"compute:{d['device'].get('device')}/{d['device']['compute_type']}")
        if dec:
            parts.append(f"beam:{dec.get('beam_size')}")
            parts.append(f"maxlen:{dec.get('max_decoding_length')}")
        parts.append(f"proj:{'+'.join(d.get('projection') or ['none'])}")
        parts.append(f"filter:{'yes' if d.get('filter') else 'no'}")
        parts.append(f"config:{self.config_hash()[:12]}")
        return "|".join(parts)

    def config_hash(self) -> str:
        """Hash of the declared settings that decide the output (not the command line or paths)."""
        keep = {k: v for k, v in self.declared.items() if k not in ("command", "xprep_version")}
        if isinstance(keep.get("model"), dict):
            keep["model"] = {k: v for k, v in keep["model"].items() if k != "path"}
        return stable_hash(keep)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["signature"] = self.signature()
        data["config_hash"] = self.config_hash()
        return data

    def write(self, directory: Path) -> Path:
        path = directory / MANIFEST
        path.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    @classmethod
    def read(cls, directory: str | Path) -> Manifest:
        path = Path(directory) / MANIFEST
        if not path.is_file():
            raise InputError("no manifest.json here: not an xprep build", where=str(directory))
        from xprep.io import read_text

        try:
            data = json.loads(read_text(path))
        except (ValueError, RecursionError) as exc:
            raise InputError(f"manifest is not valid JSON ({type(exc).__name__})", where=str(path)) from None
        if not isinstance(data, dict) or not isinstance(data.get("declared"), dict):
            raise InputError("manifest has no 'declared' section", where=str(path))
        computed = data.get("computed", {})
        return cls(declared=data["declared"], computed=computed if isinstance(computed, dict) else {})


def versions() -> dict[str, str]:
    """Versions of Python and the libraries that shape a build."""
    from importlib import metadata

    out = {"python": platform.python_version()}
    for name in ("xprep", "ctranslate2", "sentencepiece", "transformers", "datasets", "langdetect", "torch"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MiB."""
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


CELL_KINDS = ("translate-build", "native-build", "native-mix", "perturbed-set")  # manifests beside records


def verify(directory: str | Path) -> list[str]:
    """Problems found in a build cell (empty list: it verifies).

    Checks the manifest's shape against its published schema (the file and the JSON path of the first
    problem), the signature and configuration hash recomputed from ``declared`` (and ``.complete``), the
    records' sha256 and count, that every record validates, and that the HF dataset beside them has the
    same number of rows.
    """
    from xprep.io import read_records, sha256_file
    from xprep.schemas import read_json, validate

    directory = Path(directory)
    man = Manifest.read(directory)
    problems = []
    try:
        validate(directory / MANIFEST, read_json(directory / MANIFEST))
    except InputError as exc:
        problems.append(exc.one_line())
    problems += _recomputed(directory, man)
    records = directory / RECORDS
    if not records.is_file():
        return [*problems, f"{records}: missing"]
    digest = sha256_file(records)
    if digest != man.computed.get("records_sha256"):
        problems.append(
            f"{records}: sha256 {digest[:12]} differs from the manifest's "
            f"{str(man.computed.get('records_sha256'))[:12]}"
        )
    try:
        n = sum(1 for _ in read_records(records))
    except InputError as exc:
        return [*problems, exc.one_line()]
    expected = man.computed.get("counts", {}).get("out")
    if n != expected:
        problems.append(f"{records}: {n} records, manifest says {expected}")
    try:
        import datasets

        rows = len(datasets.load_from_disk(str(directory)))
        if rows != n:
            problems.append(f"{directory}: HF dataset has {rows} rows, records.jsonl has {n}")
    except (FileNotFoundError, ValueError, IndexError) as exc:  # IndexError: a dataset saved with no shard
        problems.append(f"{directory}: HF dataset unreadable ({type(exc).__name__}: {exc})")
    return problems


def _recomputed(directory: Path, man: Manifest) -> list[str]:
    """The signature and configuration hash recomputed from ``declared`` against what the files say."""
    from xprep.schemas import read_json

    data = read_json(directory / MANIFEST)
    path = directory / MANIFEST
    try:
        signature, config = man.signature(), man.config_hash()
    except (KeyError, TypeError, AttributeError) as exc:  # a declared section too broken to sign
        return [f"{path}: cannot recompute the signature from 'declared' ({type(exc).__name__}: {exc})"]
    out = []
    if data.get("signature") != signature:
        out.append(f"{path}: $.signature differs from the one recomputed from 'declared': {signature}")
    if data.get("config_hash") != config:
        out.append(f"{path}: $.config_hash differs from the one recomputed from 'declared': {config[:12]}")
    marker = directory / COMPLETE
    if marker.is_file() and marker.read_text(encoding="utf-8").strip() != config:
        out.append(f"{marker}: holds another configuration hash than the manifest's declared settings")
    return out


def mark_complete(directory: Path, manifest: Manifest) -> None:
    """Write ``.complete`` (the configuration hash) once the records, the HF dataset and the manifest in
    ``directory`` agree; a disagreement is a bug (or a failing disk) and nothing is marked."""
    problems = verify(directory)
    if problems:
        raise RuntimeError(f"refusing to mark {directory} complete: {'; '.join(problems)}")
    (Path(directory) / COMPLETE).write_text(manifest.config_hash() + "\n", encoding="utf-8")


def manifest_files(root: str | Path) -> list[Path]:
    """Every manifest file (manifest.json, results.json, attack.json, plan.json) under ``root`` (or ``root``
    itself when it is one), outside hidden folders (temporary cells, attack state)."""
    from xprep.schemas import FILES

    root = Path(root)
    if root.is_file():
        return [root]
    found = (p for name in FILES for p in root.rglob(name))
    return sorted(p for p in found if not any(part.startswith(".") for part in p.relative_to(root).parts[:-1]))


def verify_file(path: Path) -> list[str]:
    """Problems of one manifest file: a build cell's full :func:`verify`, the shape of any other manifest."""
    from xprep.schemas import kind_of, read_json, validate

    try:
        data = read_json(path)
        kind = kind_of(path.name, data)
        if path.name == MANIFEST and kind in CELL_KINDS:
            return verify(path.parent)
        validate(path, data, kind)
    except InputError as exc:
        return [exc.one_line()]
    return []
