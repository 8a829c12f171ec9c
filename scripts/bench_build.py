"""Benchmark: a whole translate build when translation is fast, with the checks inline vs in a process pool.

A tiny random-weight Marian translates synthetic MNLI-layout records (every segment distinct) on CPU
at a few thousand segments a second, about what NLLB-600M does on one GPU, so the rest of the build
(segmentation, checks, projection, writing) shows as it would there. The same build runs with the
default checks scored inline (``--check-workers 0``) and in a pool of N processes one chunk behind
translation, then also translating one chunk ahead in a thread (on by default on CUDA only); the
outputs are compared byte for byte.

A small warm-up build runs first (``--warmup-segments``; 0 skips it), so no measured row pays the
process's first-use costs (on CUDA the translator also warms up when it loads, outside the timing).
Prints wall time, time inside CTranslate2, records/s and, for the rows that translate in line, the
share of wall time outside CTranslate2; with translation one chunk ahead that share means nothing (MT
runs in its own thread, overlapping the rest), so those rows print ``-``: compare their wall times.
The last line is ``ratios: pool/inline=R1 ahead/pool=R2``.
Run: ``python scripts/bench_build.py [--segments 20000] [--workers 2] [--device cuda]``.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_memory import WORDS, write_tsv  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--inter-threads", type=int, default=None, help="CTranslate2 workers (cpu default: cores)")
    parser.add_argument("--warmup-segments", type=int, default=500, help="an untimed build first (0: none)")
    args = parser.parse_args()
    from xprep.demo import sample_texts
    from xprep.mt.engine import DecodingSettings, DeviceOptions
    from xprep.mt.tiny import build_tiny_model
    from xprep.pipeline import TranslateJob, translate_task

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        model = build_tiny_model("marian", root / "model", sample_texts() + WORDS)
        write_tsv(root / "mnli.tsv", args.segments)

        def build(source: Path, out: Path, workers: int, overlap: bool) -> Any:
            (cell,) = translate_task(
                TranslateJob(
                    task="mnli",
                    langs=["de"],
                    model=model,
                    out=out,
                    source=source,
                    decoding=DecodingSettings(beam_size=1, max_decoding_length=16),
                    progress=False,
                    projection=(),
                    check_workers=workers,
                    overlap_mt=overlap,
                    device=DeviceOptions(device=args.device, inter_threads=args.inter_threads),
                )
            )
            return cell

        if args.warmup_segments:
            write_tsv(root / "warm.tsv", args.warmup_segments)
            build(root / "warm.tsv", root / "build-warm", args.workers, True)
        rows = []
        for workers, overlap in ((0, False), (args.workers, False), (args.workers, True)):
            cell = build(root / "mnli.tsv", root / f"build-{workers}-{int(overlap)}", workers, overlap)
            c = cell.manifest.computed
            digest = hashlib.sha256((cell.path / "records.jsonl").read_bytes()).hexdigest()[:16]
            name = f"{workers} workers" + (" + ahead" if overlap else "")
            rows.append((name, c["timing"]["wall_s"], c["timing"]["mt_s"], c["counts"]["out"], digest, overlap))
    print(f"{'checks':<20}{'wall s':>8}{'MT s':>7}{'records/s':>11}{'outside MT':>12}  records sha256")
    for name, wall, mt, n, digest, overlap in rows:
        outside = f"{'-':>12}" if overlap else f"{100 * (1 - mt / wall):>11.1f}%"
        print(f"{name:<20}{wall:>8.2f}{mt:>7.2f}{n / wall:>11.0f}{outside}  {digest}")
    print("outputs identical" if len({r[4] for r in rows}) == 1 else "OUTPUTS DIFFER")
    print(f"ratios: pool/inline={rows[0][1] / rows[1][1]:.2f} ahead/pool={rows[1][1] / rows[2][1]:.2f}")


if __name__ == "__main__":
    main()
