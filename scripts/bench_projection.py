"""Benchmark: what the default projection chain costs over ``markers,fuzzy`` in a QA build, side by side.

XQuAD-format English (the first ``--articles`` articles of ``../shared/data/english/squad-v1.1-dev-subset``)
is translated into Spanish with Apertium, from one translation cache warmed by an untimed chain build
first, so every timed build reads all its segments from the cache and times projection, checks and
writing. Rows: ``--projection markers,fuzzy`` and the default chain (markers, align, fuzzy; the encoder
aligner on ``--align-model``), each ``--repeats`` times (the best is kept); the projection methods used
are counted from the output. The last line is ``ratio: chain/markers,fuzzy=R``.

    python scripts/bench_projection.py --align-model /tmp/e5p [--articles 5] [--repeats 2]

To time another checkout of xprep on the same inputs, put it first on ``PYTHONPATH``
(``git archive COMMIT xprep | tar -x -C /tmp/old && PYTHONPATH=/tmp/old python scripts/bench_projection.py``).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "english" / "squad-v1.1-dev-subset" / "xquad.en.json"


def subset(path: Path, articles: int, out: Path) -> int:
    """The first ``articles`` articles of a SQuAD JSON file; returns the number of questions."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data["data"] = data["data"][:articles]
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return sum(len(p["qas"]) for a in data["data"] for p in a["paragraphs"])


def build(source: Path, out: Path, cache: Path, projection: tuple[str, ...], align_model: str) -> tuple[float, Counter]:
    """One build; (wall seconds, projection methods counted over the output records)."""
    from xprep.pipeline import TranslateJob, translate_task

    job = TranslateJob(
        task="squad_v1",
        langs=["es"],
        model=Path("apertium"),
        out=out,
        split="validation",
        source=source,
        fmt="squad-json",
        cache=cache,
        projection=projection,
        align_model=align_model,
        progress=False,
    )
    start = time.perf_counter()
    (cell,) = translate_task(job)
    seconds = time.perf_counter() - start
    methods: Counter = Counter()
    for path in sorted(cell.path.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            proj = json.loads(line).get("meta", {}).get("projection", {})
            method = proj.get("method", proj.get("status"))
            for m in method if isinstance(method, list) else [method]:
                methods[str(m)] += 1
    return seconds, methods


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--align-model", required=True, help="encoder folder (xprep models e5-small --out DIR)")
    parser.add_argument("--articles", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--source", type=Path, default=DATA)
    args = parser.parse_args()
    import xprep

    print(f"xprep from {Path(xprep.__file__).parent}")
    chain = ("markers", "align", "fuzzy")
    rows = {"markers,fuzzy": ("markers", "fuzzy"), "chain": chain}
    with tempfile.TemporaryDirectory(prefix="xprep-bench-projection-") as tmp:
        root = Path(tmp)
        n = subset(args.source, args.articles, root / "xquad.json")
        cache = root / "cache.sqlite"
        warm, _ = build(root / "xquad.json", root / "warm", cache, chain, args.align_model)
        print(f"{n} questions, {args.articles} articles; warm-up chain build (fills the cache): {warm:.1f} s")
        best: dict[str, float] = {}
        for r in range(args.repeats):
            for name, projection in rows.items():
                seconds, methods = build(root / "xquad.json", root / f"{name}-{r}", cache, projection, args.align_model)
                best[name] = min(best.get(name, seconds), seconds)
                share = 100 * methods.get("markers", 0) / max(1, sum(methods.values()))
                print(f"{name:14s} run {r + 1}: {seconds:6.2f} s  methods {dict(methods)}  markers {share:.1f}%")
    print(f"ratio: chain/markers,fuzzy={best['chain'] / best['markers,fuzzy']:.2f}")


if __name__ == "__main__":
    main()
