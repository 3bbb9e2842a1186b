"""A server start with the web page mounted makes no outbound call (issue 16.12, issue 14.6)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = r"""
import json, socket, time
lookups = []
real_getaddrinfo = socket.getaddrinfo
real_connect = socket.socket.connect

def getaddrinfo(host, *args, **kwargs):
    lookups.append(str(host))
    return real_getaddrinfo(host, *args, **kwargs)

def connect(self, address):
    if isinstance(address, tuple):
        lookups.append(str(address[0]))
    return real_connect(self, address)

socket.getaddrinfo = getaddrinfo
socket.socket.connect = connect

import httpx
from vlocr.api.app import create_app
from vlocr.api.http.background import start_in_thread

srv = start_in_thread(create_app(ui=True))
srv.wait_ready()
for path in ("/ui/", "/docs", "/redoc", "/openapi.json"):
    assert httpx.get(srv.url + path, timeout=30).status_code == 200, path
time.sleep(3)  # Gradio's version check and telemetry run in background threads
srv.stop()
local = {"127.0.0.1", "localhost", "::1"}
print(json.dumps(sorted({h for h in lookups if h not in local})))
"""


def test_server_start_with_the_page_looks_up_no_outside_host() -> None:
    env_clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("GRADIO_ANALYTICS_ENABLED", "HF_HUB_OFFLINE", "HF_HUB_DISABLE_TELEMETRY")
    }
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300, env=env_clean
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    outside = json.loads(proc.stdout.strip().splitlines()[-1])
    assert outside == [], f"outbound lookups on start: {outside}"
