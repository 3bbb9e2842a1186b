"""Which dtype a local model runs in, and why: ``--dtype auto`` says what it chose.

bfloat16 halves the weights' memory and is the released checkpoints' own dtype, but on a CPU
without native bfloat16 arithmetic (AVX512-BF16 or AMX) PyTorch emulates it and matrix products
run several times slower than float32. So ``auto`` picks bfloat16 on a GPU and on CPUs that
compute it natively, and float32 on the rest. ``int8`` (CPU only) quantises the Linear layers'
weights to int8 after loading (activations are quantised per call): about a quarter of float32's
memory, not accuracy-checked here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DTYPES = ("float32", "bfloat16", "float16", "int8")
NATIVE_BF16_FLAGS = ("avx512_bf16", "amx_bf16")


@dataclass(frozen=True)
class DtypeChoice:
    """The dtype the weights are loaded in, what the layers compute in, and the reason."""

    dtype: str  # float32 | bfloat16 | float16 | int8
    reason: str

    @property
    def load_dtype(self) -> str:
        """int8 loads bfloat16 weights and quantises them layer by layer (no float32 copy)."""
        return "bfloat16" if self.dtype == "int8" else self.dtype

    def describe(self) -> str:
        return f"{self.dtype} ({self.reason})"


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    """The CPU feature flags the kernel reports (empty where /proc/cpuinfo is missing)."""
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith(("flags", "Features")):
            return set(line.split(":", 1)[1].split())
    return set()


def native_bf16_flags(flags: set[str] | None = None) -> list[str]:
    """The native-bfloat16 features this CPU has (AVX512-BF16, AMX-BF16), in a stable order."""
    have = cpu_flags() if flags is None else flags
    return [f for f in NATIVE_BF16_FLAGS if f in have]


def choose_dtype(requested: str, device: str, flags: set[str] | None = None) -> DtypeChoice:
    """Resolve ``requested`` (``auto`` or a dtype) for ``device``; ``flags`` overrides the CPU's."""
    from vlocr.errors import InvalidOptionError

    req = (requested or "auto").strip().lower()
    if req not in ("auto", *DTYPES):
        raise InvalidOptionError(
            f"unknown dtype '{requested}'", "use auto, float32, bfloat16, float16 or int8"
        )
    on_cpu = device == "cpu"
    if req == "int8" and not on_cpu:
        raise InvalidOptionError(
            "dtype int8 is for the CPU only", "use --device cpu, or bfloat16 on a GPU"
        )
    if req != "auto":
        return DtypeChoice(req, "asked for")
    if not on_cpu:
        return DtypeChoice("bfloat16", "auto: GPU")
    native = native_bf16_flags(flags)
    if native:
        return DtypeChoice(
            "bfloat16", f"auto: this CPU computes bfloat16 natively ({', '.join(native)})"
        )
    return DtypeChoice(
        "float32",
        "auto: this CPU has no native bfloat16 (no avx512_bf16/amx_bf16), where bfloat16 runs "
        "several times slower; --dtype bfloat16 halves memory at that cost",
    )
