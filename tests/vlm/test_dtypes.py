"""``--dtype auto``: bfloat16 only where the CPU computes it natively (flags injected here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vlocr.errors import EngineUnavailableError, InvalidOptionError
from vlocr.vlm.dtypes import choose_dtype, cpu_flags, native_bf16_flags
from vlocr.vlm.transformers_engine import resolve_dtype

AVX2_ONLY = {"fpu", "sse4_2", "avx", "avx2", "fma"}
SAPPHIRE_RAPIDS = AVX2_ONLY | {"avx512f", "avx512bw", "avx512_bf16", "amx_tile", "amx_bf16"}


def test_auto_on_a_cpu_without_native_bf16_is_float32_and_says_why() -> None:
    choice = choose_dtype("auto", "cpu", AVX2_ONLY)
    assert choice.dtype == "float32" and choice.load_dtype == "float32"
    assert "no native bfloat16" in choice.reason and "--dtype bfloat16" in choice.reason


@pytest.mark.parametrize("flag", ["avx512_bf16", "amx_bf16"])
def test_auto_on_a_cpu_with_native_bf16_is_bfloat16(flag: str) -> None:
    choice = choose_dtype("auto", "cpu", AVX2_ONLY | {flag})
    assert choice.dtype == "bfloat16" and flag in choice.reason
    assert choose_dtype("", "cpu", SAPPHIRE_RAPIDS).describe().startswith("bfloat16 (auto:")


def test_auto_on_gpu_and_explicit_choices() -> None:
    assert choose_dtype("auto", "cuda", AVX2_ONLY).dtype == "bfloat16"
    assert choose_dtype("float32", "cpu", SAPPHIRE_RAPIDS).dtype == "float32"
    assert choose_dtype("BFloat16", "cpu", AVX2_ONLY).reason == "asked for"
    int8 = choose_dtype("int8", "cpu", AVX2_ONLY)
    assert int8.dtype == "int8" and int8.load_dtype == "bfloat16"


def test_bad_dtypes_are_refused() -> None:
    with pytest.raises(InvalidOptionError, match="int8 is for the CPU"):
        choose_dtype("int8", "cuda")
    with pytest.raises(InvalidOptionError, match="unknown dtype"):
        choose_dtype("fp8", "cpu")
    with pytest.raises(EngineUnavailableError, match="unknown dtype"):
        resolve_dtype("half-ish", "cpu")


def test_flags_are_read_from_cpuinfo(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512_bf16 amx_bf16\n\n")
    assert native_bf16_flags(cpu_flags(info)) == ["avx512_bf16", "amx_bf16"]
    assert cpu_flags(tmp_path / "missing") == set()
