"""Native build speed on the largest real release files in ../shared/data/native, one after another.

For each file: wall time of ``build_native`` (read the release format, count drops and repairs, langid and
the other native checks, write the cell through the one cell writer), records per second, and the manifest's
own timing where it has one. Files that are absent are skipped with a line saying so.

    python scripts/bench_native.py [--data ../shared/data/native]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

FILES = (  # (dataset, language, split, file under the data folder): the largest of each kind
    ("indonli", "id", "train", "indonli/train.jsonl"),
    ("jcommonsenseqa", "ja", "train", "jglue/jcommonsenseqa-train-v1.3.json"),
    ("korquad", "ko", "validation", "korquad/KorQuAD_v1.0_dev.json"),
    ("ocnli", "zh", "train", "ocnli/train.10k.json"),
    ("c3", "zh", "validation", "c3/c3-d-dev.json"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/native"))
    args = parser.parse_args()

    from xprep.native.build import build_native

    print(f"{'dataset':16} {'file MB':>8} {'records':>8} {'seconds':>8} {'records/s':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, lang, split, rel in FILES:
            src = args.data / rel
            if not src.is_file():
                print(f"{name:16} skipped: {src} is absent")
                continue
            t0 = time.perf_counter()
            _, man = build_native(name, lang=lang, split=split, source=src, out=Path(tmp) / name)
            wall = time.perf_counter() - t0
            n = man.computed["counts"]["out"]
            print(f"{name:16} {src.stat().st_size / 1e6:8.1f} {n:8d} {wall:8.1f} {n / wall:10.0f}")


if __name__ == "__main__":
    main()
