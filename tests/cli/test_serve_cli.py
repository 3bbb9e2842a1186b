"""`vlocr serve` refuses what README says it refuses, with one line each: no key off loopback,
an unknown log level, and missing extras (also for `vlocr bench`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from vlocr.api.http.auth import check_exposure
from vlocr.errors import InvalidOptionError

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str, pythonpath: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "VLOCR_API_KEYS"}
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join([pythonpath, env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "vlocr.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def _one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vlocr: error: "), proc.stderr
    return lines[0]


def test_no_key_off_loopback_refuses_to_start() -> None:
    line = _one_error_line(run_cli("serve", "--host", "0.0.0.0", "--no-ui"))
    assert "without an API key" in line and "--allow-no-key" in line


def test_exposure_rules() -> None:
    assert check_exposure("127.0.0.1", [], False) is None
    assert check_exposure("0.0.0.0", ["k"], False) is None
    with pytest.raises(InvalidOptionError):
        check_exposure("192.168.1.5", [], False)
    warning = check_exposure("0.0.0.0", [], True)
    assert warning and "NO API key" in warning


def test_bogus_log_level_is_one_line_before_serving() -> None:
    proc = run_cli("serve", "--log-level", "bogus", "--no-ui", "--port", "1")
    line = _one_error_line(proc)
    assert "bogus" in line and "serving" not in proc.stderr


@pytest.mark.parametrize(
    "module, args, extra",
    [
        ("uvicorn", ["serve", "--no-ui"], "server"),
        ("rapidfuzz", ["bench", "--quick", "--out", "/tmp/vlocr-never"], "bench"),
    ],
)
def test_missing_extra_is_one_line(
    tmp_path: Path, module: str, args: list[str], extra: str
) -> None:
    fake = tmp_path / module
    fake.mkdir()
    (fake / "__init__.py").write_text(
        f"raise ModuleNotFoundError(\"No module named '{module}'\", name='{module}')\n"
    )
    line = _one_error_line(run_cli(*args, pythonpath=str(tmp_path)))
    assert f"pip install 'vlocr[{extra}]'" in line and module in line


def test_torch_hint_follows_readme_install_order() -> None:
    from vlocr.extras import install_hint

    hint = install_hint("vlm")
    readme = (REPO / "README.md").read_text()
    assert hint.index("torch") < hint.index("vlocr[vlm]")
    assert readme.index("pip install torch") < readme.index('pip install -e ".[vlm]"')
    assert "huggingface-cli" not in readme
