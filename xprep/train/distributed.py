"""Data-parallel training in several processes (Hugging Face ``accelerate``): one per GPU, or several on a CPU.

A phase with ``processes`` N > 1 runs in N processes that :func:`run_phase` spawns (``torch.multiprocessing``
with ``spawn``, prepared by accelerate's ``PrepareForLaunch``; no ``accelerate launch`` to type), joined by
``torch.distributed``: gloo on a CPU, NCCL on CUDA with process r on ``cuda:r``. accelerate's ``PartialState``
sets the process group, the device and the CPU threads per process.

**The global batch is the 1-process run's**: ``batch_size`` records per micro-batch and ``grad_accum``
micro-batches per optimizer step, whatever N. Every process draws the same micro-batch (same seeds, same
sampler), encodes all of it (so that its padding is the 1-process run's: QA's loss runs over padded
positions too) and trains on its share of the rows (:meth:`Processes.share`: the rows of contiguous runs of
records whose lengths differ by at most one, so ``batch_size`` need not divide by N). Each process weights
its loss by its share of the micro-batch's loss terms (records for pair and choice, windows for span,
labelled sub-tokens for tagging: what the head's loss averages over) and the gradients are summed across
processes once per optimizer step, before clipping: the sum is the gradient of the whole micro-batch's loss,
which is what DDP's average computes when the shares are equal. The number of optimizer steps, the
learning-rate schedule (linear warm-up over ``warmup`` of them, then linear decay to 0), gradient clipping
and the fp16 loss scale are therefore those of the 1-process run, and the weights agree with it up to
floating-point rounding (smaller matrix products sum in another order); dropout masks differ (each process
draws its own). The sum is taken on flat buckets of the gradients, not by a ``DistributedDataParallel``
wrapper: multi-task training puts one encoder under several heads (:func:`xprep.train.loop.share_encoder`),
which DDP modules cannot share.

The main process (rank 0) writes the checkpoints, with every process's generator states, and the trained
model; every process resumes from the same checkpoint. Evaluation runs afterwards in the calling process, on
the saved model, so its files are written once, as in a 1-process run. Each process marks its work done
before it leaves the group; a process that then dies in teardown (gloo aborts one now and then with
"terminate called without an active exception") does not fail a phase whose processes all finished.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from xprep.errors import InputError, XprepError

BUCKET = 1 << 25  # gradient elements per all-reduce (128 MiB of float32)


class Processes:
    """Where this process sits among a phase's training processes; one process (the default) needs no
    collective and changes nothing."""

    def __init__(self, rank: int = 0, world: int = 1, device: str | None = None, cpu_group: Any = None) -> None:
        self.rank, self.world, self.device, self.cpu_group = rank, world, device, cpu_group

    @property
    def main(self) -> bool:
        return self.rank == 0

    def share(self, owners: Sequence[int], n: int) -> slice:
        """The rows of an encoded micro-batch of ``n`` records (``owners``: each row's record, ascending; a span
        record has a row per window) that this process trains on: those of a contiguous run of records, the
        runs of the processes differing in length by at most one (a run may be empty)."""
        per, extra = divmod(n, self.world)
        start = self.rank * per + min(self.rank, extra)
        end = start + per + (self.rank < extra)
        return slice(bisect_left(owners, start), bisect_left(owners, end))

    def take(self, enc: Any, n: int) -> tuple[dict[str, Any], Any] | None:
        """This process's rows of an encoded micro-batch of ``n`` records (:class:`~xprep.train.features.Encoded`):
        ``(inputs, labels)``, or None when it has none."""
        if self.world == 1:
            return enc.inputs, enc.labels
        rows = self.share(enc.record_index, n)
        if rows.stop == rows.start:
            return None
        labels = {k: v[rows] for k, v in enc.labels.items()} if isinstance(enc.labels, dict) else enc.labels[rows]
        return {k: v[rows] for k, v in enc.inputs.items()}, labels

    def weight(self, loss: Any, labels: Any, device: str) -> Any:
        """``loss`` (a mean over this process's loss terms, None for an empty share) times its share of the
        micro-batch's terms, so that the losses (and gradients) of all processes sum to the micro-batch's."""
        if self.world == 1:
            return loss
        import torch
        import torch.distributed as td

        units = loss_terms(labels) if loss is not None else 0
        total = torch.tensor([units], dtype=torch.float64)
        td.all_reduce(total, group=self.cpu_group)  # on the CPU: no device sync per micro-batch
        if units == 0:
            return torch.zeros((), device=device)
        return loss * (units / total.item())

    def sum_gradients(self, params: Sequence[Any]) -> None:
        """Sum each parameter's gradient over the processes (in place); a parameter with a gradient in any
        process gets one in all (zeros where it had none), one with none anywhere keeps ``None``."""
        if self.world == 1:
            return
        import torch
        import torch.distributed as td
        from torch._utils import _flatten_dense_tensors, _unflatten_dense_tensors

        present = torch.tensor([p.grad is not None for p in params], dtype=torch.uint8)
        td.all_reduce(present, op=td.ReduceOp.MAX, group=self.cpu_group)
        live = [p for p, flag in zip(params, present.tolist(), strict=True) if flag]
        for p in live:
            if p.grad is None:
                p.grad = torch.zeros_like(p)
        for grads in _buckets([p.grad for p in live]):
            flat = _flatten_dense_tensors(grads)
            td.all_reduce(flat)
            for g, summed in zip(grads, _unflatten_dense_tensors(flat, grads), strict=True):
                g.copy_(summed)

    def total(self, value: Any) -> float:
        """The sum of a scalar tensor over the processes, as a float (the micro-batch's loss)."""
        if self.world == 1:
            return value.item()
        import torch.distributed as td

        value = value.detach().clone()
        td.all_reduce(value)
        return value.item()

    def own(self, per_process: Sequence[Any] | None) -> Any:
        """This process's item of a list with one per process (as :meth:`gather` made it), else None."""
        return per_process[self.rank] if per_process and len(per_process) == self.world else None

    def gather(self, obj: Any) -> list[Any]:
        """Every process's ``obj``, in rank order (plain values and CPU tensors)."""
        if self.world == 1:
            return [obj]
        import torch.distributed as td

        out: list[Any] = [None] * self.world
        td.all_gather_object(out, obj, group=self.cpu_group)
        return out


SINGLE = Processes()


def loss_terms(labels: Any) -> int:
    """How many terms a head's loss averages over: windows (span labels are a dict of start/end positions),
    else the labels that are not ignored (records for pair and choice, labelled sub-tokens for tagging)."""
    from xprep.train.features import IGNORE

    if isinstance(labels, dict):
        return int(labels["start_positions"].numel())
    return int((labels != IGNORE).sum())


def _buckets(grads: Sequence[Any]) -> Iterator[list[Any]]:
    """Gradients grouped by dtype and device in runs of at most :data:`BUCKET` elements (one tensor each at least)."""
    bucket: list[Any] = []
    size = 0
    for g in grads:
        if bucket and (size + g.numel() > BUCKET or (g.dtype, g.device) != (bucket[0].dtype, bucket[0].device)):
            yield bucket
            bucket, size = [], 0
        bucket.append(g)
        size += g.numel()
    if bucket:
        yield bucket


def check_processes(processes: int, device: str) -> None:
    """An :class:`InputError` unless ``processes`` is at least 1 and, on CUDA, at most the number of GPUs."""
    if processes < 1:
        raise InputError(f"processes must be at least 1, not {processes}", where="train.processes")
    if processes > 1 and device.startswith("cuda"):
        import torch

        gpus = torch.cuda.device_count()
        if processes > gpus:
            raise InputError(
                f"{processes} processes on CUDA need {processes} GPUs; {gpus} visible",
                where="train.processes",
                hint="one process per GPU: set processes to the number of GPUs, or train on the CPU",
            )


def run_phase(fn: Callable[..., dict[str, Any]], args: tuple[Any, ...], processes: int, device: str) -> dict[str, Any]:
    """``fn(*args, dist)`` in ``processes`` processes (in this one when 1); returns the main process's result.

    ``fn`` must be a module-level function, ``args`` picklable, the result JSON-serialisable. An
    :class:`~xprep.errors.XprepError` raised in a process is raised here again, the same type and text.
    """
    check_processes(processes, device)
    if processes == 1:
        return fn(*args, SINGLE)
    import torch.multiprocessing as mp
    from accelerate.utils import PrepareForLaunch, patch_environment

    cpu = not device.startswith("cuda")
    env: dict[str, Any] = dict(nproc=processes, node_rank=0, world_size=processes, master_addr="127.0.0.1",
                               master_port=_free_port())  # fmt: skip
    if cpu and "OMP_NUM_THREADS" not in os.environ:  # the cores shared out, as accelerate would (without its warning)
        env["omp_num_threads"] = max(1, (os.cpu_count() or 1) // processes)
    launcher = PrepareForLaunch(_worker, distributed_type="MULTI_CPU" if cpu else "MULTI_GPU")
    with tempfile.TemporaryDirectory(prefix="xprep-processes-") as tmp, patch_environment(**env):
        try:
            mp.start_processes(launcher, args=(fn, args, cpu, tmp), nprocs=processes, start_method="spawn")
        except mp.ProcessRaisedException:
            _raise_user_error(Path(tmp))
            raise
        except mp.ProcessExitedException as exc:
            # gloo now and then aborts a process while it tears its group down (SIGABRT, "terminate called
            # without an active exception"); once every process has finished its work, the run stands
            if not all((Path(tmp) / f"done.{rank}").exists() for rank in range(processes)):
                raise
            print(f"xprep: process {exc.error_index} died leaving the process group ({exc}) after every process "
                  "had finished its work; the phase's result stands", file=sys.stderr)  # fmt: skip
        return json.loads((Path(tmp) / "result.json").read_text(encoding="utf-8"))


def _worker(fn: Callable[..., dict[str, Any]], args: tuple[Any, ...], cpu: bool, tmp: str) -> None:
    """One spawned process: join the group, run ``fn``, and (main process) write its result."""
    import torch.distributed as td
    from accelerate import PartialState

    state = PartialState(cpu=cpu, backend="gloo" if cpu else None)
    cpu_group = None if cpu else td.new_group(backend="gloo")
    dist = Processes(state.process_index, state.num_processes, str(state.device), cpu_group)
    try:
        result = fn(*args, dist)
        if dist.main:
            (Path(tmp) / "result.json").write_text(json.dumps(result), encoding="utf-8")
        (Path(tmp) / f"done.{dist.rank}").touch()
        td.barrier(group=cpu_group)  # no process tears its group down while another still talks to it
    except XprepError as exc:
        error = {"type": type(exc).__name__, "message": exc.message, "where": exc.where, "hint": exc.hint}
        (Path(tmp) / f"error.{dist.rank}.json").write_text(json.dumps(error), encoding="utf-8")
        raise
    finally:
        td.destroy_process_group()


def _raise_user_error(tmp: Path) -> None:
    """Raise the user error a process wrote (the lowest rank's), if any."""
    import xprep.errors

    for path in sorted(tmp.glob("error.*.json")):
        error = json.loads(path.read_text(encoding="utf-8"))
        cls = getattr(xprep.errors, error["type"], None)
        if isinstance(cls, type) and issubclass(cls, XprepError):
            raise cls(error["message"], where=error["where"], hint=error["hint"]) from None


def _free_port() -> int:
    """A TCP port nobody listens on now (the group's rendezvous)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
