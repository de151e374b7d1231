"""Helpers for tests that start real servers on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(proc: subprocess.Popen, port: int, path: str | None = None, timeout: float = 180) -> None:
    """Poll until the process accepts connections on `port` (and answers `path`, if given); fail loudly if it
    exits or takes too long."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if path is None:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            else:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2)
            return
        except OSError:
            if proc.poll() is not None:
                output = proc.stdout.read() if proc.stdout else ""
                raise RuntimeError(f"the server exited: {output[-2000:]}") from None
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"the server on port {port} did not start within {timeout:.0f}s")


CHROMIUM = "/usr/bin/chromium"


def require_chromium(what: str) -> None:
    """Skip loudly (not silently) when Debian's chromium is missing; `make test` installs it as root."""
    import pytest

    if not Path(CHROMIUM).exists():
        print("\n" + "!" * 78 + f"\n!! SKIPPING {what}: {CHROMIUM} is missing (make test installs Debian's"
              " chromium as root)\n" + "!" * 78)
        pytest.skip(f"{CHROMIUM} is missing")


def serve_web(env: dict) -> tuple[subprocess.Popen, int]:
    """`python -m assistant serve` on a free port with `env` added to this environment, once it answers."""
    import os
    import sys

    from assistant.settings import ROOT

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--port", str(port)], cwd=ROOT,
                            env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_until_serving(proc, port, "/")
    return proc, port
