"""Peak memory of a translate build as the input grows: does the engine stream?

Writes synthetic MNLI-layout TSVs (every segment distinct, so nothing is deduplicated away) of
10k, 100k and 1M segments, translates each in a fresh process with a tiny random-weight Marian,
and prints segments, wall time, segments/s and the process's peak RSS (as the manifest records it).
The language-id check is left out (langdetect costs ~2 ms a record and measures nothing here).

Run: ``python scripts/bench_memory.py [--sizes 10000,100000,1000000]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from xprep.mt.tiny import SYNTHETIC_WORDS as WORDS

CHILD = """
import json, sys, time
from pathlib import Path
from xprep.mt.engine import DecodingSettings
from xprep.pipeline import TranslateJob, translate_task
src, model, out = sys.argv[1:4]
t0 = time.perf_counter()
(res,) = translate_task(TranslateJob(task="mnli", langs=["de"], model=Path(model), out=Path(out), source=Path(src),
    decoding=DecodingSettings(beam_size=1, max_decoding_length=8), progress=False,
    checks=("length_ratio", "copy", "repetition"), projection=()))
c = res.manifest.computed
print(json.dumps({"wall": time.perf_counter() - t0, "peak_rss_mb": c["peak_rss_mb"],
                  "segments": c["translation"]["segments"], "records": c["counts"]["out"]}))
"""


def write_tsv(path: Path, segments: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("pairID\tsentence1\tsentence2\tgold_label\n")
        for i in range(segments // 2):
            a = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(6))
            fh.write(
                f"{i}\t{a} {i}.\t{WORDS[i % len(WORDS)]} {i}.\t{('entailment', 'neutral', 'contradiction')[i % 3]}\n"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    args = parser.parse_args()
    from xprep.demo import sample_texts
    from xprep.mt.tiny import build_tiny_model

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        model = build_tiny_model("marian", root / "model", sample_texts() + WORDS)
        print(f"{'segments':>10} {'records':>9} {'wall s':>8} {'seg/s':>8} {'peak RSS MB':>12}", flush=True)
        for size in (int(s) for s in args.sizes.split(",")):
            src = root / f"mnli-{size}.tsv"
            write_tsv(src, size)
            t0 = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(src), str(model), str(root / f"build-{size}")],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{r['segments']:>10} {r['records']:>9} {r['wall']:>8.1f} {r['segments'] / r['wall']:>8.0f} "
                f"{r['peak_rss_mb']:>12.1f}   (process total {time.perf_counter() - t0:.0f}s)",
                flush=True,
            )


if __name__ == "__main__":
    main()
