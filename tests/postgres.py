"""A throwaway PostgreSQL cluster from Debian's packages: initdb in a temp folder, a free port on 127.0.0.1, a
socket in that folder, removed afterwards. As root (CI) the server runs as the `postgres` user, because initdb
refuses root. Without the binaries the tests skip loudly (`make test` installs them as root)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.helpers import free_port


def binaries() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def require_postgres(what: str) -> Path:
    import pytest

    found = binaries()
    if found is None:
        print("\n" + "!" * 78 + f"\n!! SKIPPING {what}: PostgreSQL is missing (make test installs Debian's"
              " postgresql as root)\n" + "!" * 78)
        pytest.skip("PostgreSQL is missing")
    return found


class Cluster:
    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="assistant-pg-"))
        self.port = free_port()
        self.user = None
        if os.geteuid() == 0:  # initdb refuses root
            import pwd

            self.user = "postgres"
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.data = self.root / "data"
        self._run("initdb", "-D", str(self.data), "-U", "assistant", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200",
                  "start")

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([str(self.bin / tool), *args], check=True, capture_output=True, user=self.user, cwd=self.root)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://assistant@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"postgresql://assistant@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        time.sleep(0.2)
        shutil.rmtree(self.root, ignore_errors=True)
