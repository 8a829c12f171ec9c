"""Peak GPU memory of whatever runs on the device, CTranslate2 included (benchmark helper).

``torch.cuda.max_memory_allocated`` sees only torch's own allocator, so CTranslate2's memory would not
show. This samples the device-wide used memory instead (NVML where ``pynvml`` is installed, else
``torch.cuda.mem_get_info``, i.e. ``cudaMemGetInfo``) in a thread every ``interval`` seconds and reports
the peak above what was in use when sampling started. Other processes on the same GPU count too.

    with DeviceMemory("cuda") as mem:
        run()
    print(mem.peak_mb)   # None on a CPU
"""

from __future__ import annotations

import threading
from typing import Any


class DeviceMemory:
    """Context manager: ``peak_mb`` is the peak device memory in use above the level at entry (MiB)."""

    def __init__(self, device: str, index: int = 0, interval: float = 0.02) -> None:
        self.cuda = device.startswith("cuda")
        self.index = int(device.split(":", 1)[1]) if ":" in device else index
        self.interval = interval
        self.peak_mb: float | None = None
        self.source = "none"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._read: Any = None

    def _reader(self) -> Any:
        try:
            import pynvml

            pynvml.nvmlInit()
            handle = pynvml.nvmlDeviceGetHandleByIndex(self.index)
            self.source = "nvml"
            return lambda: pynvml.nvmlDeviceGetMemoryInfo(handle).used
        except Exception:  # noqa: BLE001 - NVML is optional; any failure falls back to torch
            import torch

            self.source = "cudaMemGetInfo"

            def used() -> int:
                free, total = torch.cuda.mem_get_info(self.index)
                return total - free

            return used

    def __enter__(self) -> DeviceMemory:
        if not self.cuda:
            return self
        self._read = self._reader()
        base = self._read()
        peak = [base]

        def sample() -> None:
            while not self._stop.wait(self.interval):
                peak[0] = max(peak[0], self._read())

        self._base, self._peak = base, peak
        self._thread = threading.Thread(target=sample, name="gpu-memory", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._peak[0] = max(self._peak[0], self._read())
        self.peak_mb = round((self._peak[0] - self._base) / 2**20, 1)
