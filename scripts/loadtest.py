"""A bounded loopback load test: a burst on the REST API and on the web page at once.

    PYTHONPATH=src python scripts/loadtest.py --rest 24 --page 8

Starts ``vlocr serve --workers 2 --queue 4`` (web page mounted) on 127.0.0.1 with its own temp
folder, warms it up, then fires the burst all at once. It checks, and prints as JSON:
REST answers are only 200 or 503 (503 with Retry-After), every page call either succeeds or is
refused as busy, /healthz answers during the burst, the server's memory returns near its
baseline afterwards, and no file is left in its temp folder. Exit 1 when a check fails.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
RECEIPT = ROOT / "examples" / "receipt.jpg"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mb(pid: int) -> float:
    proc = psutil.Process(pid)
    procs = [proc, *proc.children(recursive=True)]
    return sum(p.memory_info().rss for p in procs if p.is_running()) / 1e6


def _files(folder: Path) -> set[str]:
    """Files left in the server's temp folder, except Gradio's own cache (uploads and the images
    the page shows, content-addressed, purged by age through the page's ``delete_cache``)."""
    return {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and p.relative_to(folder).parts[0] != "gradio"
    }


def _image() -> bytes:
    if RECEIPT.exists():
        return RECEIPT.read_bytes()
    from vlocr.testing.hostile import text_png

    return text_png(640, 200)


def _rest(url: str, data: bytes) -> tuple[int, bool]:
    body = {"image": base64.b64encode(data).decode(), "preprocess": "none"}
    response = httpx.post(f"{url}/v1/ocr", json=body, timeout=300)
    return response.status_code, "retry-after" in response.headers


def _page(url: str, path: Path) -> str:
    """One recognition through the page's own API; 'ok', 'busy' or the error text."""
    from gradio_client import Client, handle_file

    try:
        client = Client(f"{url}/ui/", verbose=False)
        # The page reads only what was uploaded through it: upload (kept in the session's
        # server-side state), then recognise page 1 of it.
        client.predict(handle_file(str(path)), api_name="/upload")
        client.predict(1, "rapidocr", "none", 0, 0, 0, 0, api_name="/recognize")
        return "ok"
    except Exception as exc:  # noqa: BLE001 - classified below
        text = str(exc)
        return "busy" if "busy" in text.lower() or "503" in text else f"error: {text[:200]}"


def run(rest: int, page: int, settle_s: float) -> dict[str, Any]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    tmp = Path(tempfile.mkdtemp(prefix="vlocr-load-"))
    server_tmp = tmp / "server-tmp"
    server_tmp.mkdir()
    env = {
        **os.environ,
        "TMPDIR": str(server_tmp),
        "GRADIO_TEMP_DIR": str(server_tmp / "gradio"),
        "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    cmd = [
        sys.executable,
        "-m",
        "vlocr.cli.main",
        "serve",
        "--port",
        str(port),
        "--workers",
        "2",
        "--queue",
        "4",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    image = _image()
    upload = tmp / "page.png"
    upload.write_bytes(image)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            raise RuntimeError("server did not become ready")
        warm = [_rest(url, image)[0], _page(url, upload)]
        time.sleep(settle_s)
        before_files = _files(server_tmp)
        baseline = _rss_mb(server.pid)

        health: list[int] = []
        stop = threading.Event()

        def probe() -> None:
            while not stop.is_set():
                try:
                    health.append(httpx.get(f"{url}/healthz", timeout=5).status_code)
                except httpx.HTTPError:
                    health.append(0)
                time.sleep(0.2)

        prober = threading.Thread(target=probe, daemon=True)
        prober.start()
        peak = baseline
        with ThreadPoolExecutor(max_workers=rest + page) as pool:
            rest_jobs = [pool.submit(_rest, url, image) for _ in range(rest)]
            page_jobs = [pool.submit(_page, url, upload) for _ in range(page)]
            while not all(j.done() for j in rest_jobs + page_jobs):
                peak = max(peak, _rss_mb(server.pid))
                time.sleep(0.2)
        stop.set()
        prober.join()
        rest_results = [j.result() for j in rest_jobs]
        page_results = [j.result() for j in page_jobs]
        time.sleep(settle_s)
        after = _rss_mb(server.pid)
        left = sorted(_files(server_tmp) - before_files)
        codes = Counter(code for code, _ in rest_results)
        report = {
            "warm_up": warm,
            "rest_status": dict(codes),
            "rest_503_without_retry_after": sum(
                1 for code, retry in rest_results if code == 503 and not retry
            ),
            "page_outcomes": dict(
                Counter(r if r in ("ok", "busy") else "error" for r in page_results)
            ),
            "page_errors": [r for r in page_results if r not in ("ok", "busy")][:3],
            "healthz": dict(Counter(health)),
            "rss_mb": {"baseline": round(baseline), "peak": round(peak), "after": round(after)},
            "temp_files_left": left[:20],
        }
        report["checks"] = {
            "rest_only_200_503": set(codes) <= {200, 503},
            "503_has_retry_after": report["rest_503_without_retry_after"] == 0,
            "page_only_ok_or_busy": not report["page_errors"],
            "healthz_always_200": set(health) == {200},
            "memory_back_near_baseline": after <= baseline * 1.25 + 100,
            "no_temp_files_left": not left,
        }
        report["ok"] = all(report["checks"].values())
        return report
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rest", type=int, default=24, help="REST /v1/ocr calls in the burst")
    parser.add_argument("--page", type=int, default=8, help="page recognitions in the burst")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds to settle after")
    args = parser.parse_args()
    report = run(args.rest, args.page, args.settle)
    print(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
