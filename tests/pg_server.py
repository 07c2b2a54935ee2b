"""A real PostgreSQL server for the tests (team mode, issue 18).

`PgServer.start()` runs Debian's `initdb` and `pg_ctl` on a temporary folder and a free port,
as the `postgres` user when the tests run as root (initdb refuses root), else as the current
user. Authentication: trust on the Unix socket and on 127.0.0.1, except for one role,
`PASSWORD_ROLE`, which must give its password (scram-sha-256) over TCP: the password tests
connect as it. `tools/test.sh` installs the `postgresql` package when run as root; without the
binaries the tests that need a server are skipped (`find_binaries()` returns None).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

PASSWORD_ROLE = "fma_secret_role"
PASSWORD = "s3cret-Pa55word"  # the test role's password: no message may ever show it
ADMIN_USER = "postgres"


def find_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: $FMA_PG_BIN, Debian's newest
    /usr/lib/postgresql/N/bin, or the PATH; None when there is none."""
    candidates = [os.environ.get("FMA_PG_BIN", "")]
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda path: int(Path(path).parent.name) if Path(path).parent.name.isdigit() else 0,
        reverse=True,
    )
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).parent))
    for folder in filter(None, candidates):
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PgServer:
    """A running server. `url(database)` is a trust URL as the admin role; `admin_conninfo`
    connects to the `postgres` database as the admin role."""

    binaries: Path
    folder: Path
    port: int
    _as_postgres: bool = field(default=False, repr=False)
    _watchdog: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def socket_dir(self) -> Path:
        return self.folder

    @property
    def admin_conninfo(self) -> str:
        return f"host=127.0.0.1 port={self.port} user={ADMIN_USER} dbname=postgres"

    def url(self, database: str) -> str:
        return f"postgresql://{ADMIN_USER}@127.0.0.1:{self.port}/{database}"

    def password_url(self, database: str, *, with_password: bool = False) -> str:
        """A URL as the role that needs a password; `with_password` puts it in the URL."""
        secret = f":{PASSWORD}" if with_password else ""
        return f"postgresql://{PASSWORD_ROLE}{secret}@127.0.0.1:{self.port}/{database}"

    # ---- life cycle ----------------------------------------------------------------------

    @classmethod
    def start(cls) -> PgServer:
        binaries = find_binaries()
        if binaries is None:
            raise FileNotFoundError("PostgreSQL's initdb and pg_ctl are not installed")
        # A short path: the Unix socket's path must fit in 107 bytes.
        folder = Path(tempfile.mkdtemp(prefix="fma-pg-"))
        as_postgres = os.geteuid() == 0
        server = cls(binaries, folder, free_port(), as_postgres)
        if as_postgres:
            shutil.chown(folder, user="postgres")
        try:
            server._run("initdb", "-D", str(server.data), "-A", "trust", "-U", ADMIN_USER,
                        "--no-sync", "-E", "UTF8", "--locale=C")  # fmt: skip
            server._write_hba()
            server._pg_ctl_start()
            server._start_watchdog()
            server.create_password_role()
        except BaseException:
            server.stop()
            raise
        return server

    def _start_watchdog(self) -> None:
        """pg_ctl leaves postgres running in the background: a fixture's `finally` does not
        run when the test process is killed (a CI timeout's SIGTERM, SIGKILL). A small process
        of its own session waits for this one's end (the pipe's EOF) and then stops the
        server and removes its folder; `stop()` ends it first on the normal path."""
        stop = [str(self.binaries / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w",
                "stop"]  # fmt: skip
        if self._as_postgres:
            stop = ["runuser", "-u", "postgres", "--", *stop]
        script = (
            "import shutil, subprocess, sys\n"
            "sys.stdin.buffer.read()\n"
            f"subprocess.run({stop!r}, capture_output=True, timeout=60)\n"
            f"shutil.rmtree({str(self.folder)!r}, ignore_errors=True)\n"
        )
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", script], stdin=subprocess.PIPE, start_new_session=True
        )

    def _end_watchdog(self) -> None:
        watchdog, self._watchdog = self._watchdog, None
        if watchdog is not None:
            watchdog.kill()
            watchdog.wait(timeout=10)
            if watchdog.stdin is not None:
                watchdog.stdin.close()

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.binaries / program), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def _write_hba(self) -> None:
        hba = self.data / "pg_hba.conf"
        hba.write_text(
            "local all all trust\n"
            f"host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n"
            "host all all 127.0.0.1/32 trust\n",
            encoding="utf-8",
        )

    def _pg_ctl_start(self) -> None:
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            " -c max_connections=100"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-w",
                  "-o", options, "start")  # fmt: skip

    @property
    def postmaster_pid(self) -> int:
        """The server's main process (its first line of postmaster.pid)."""
        return int((self.data / "postmaster.pid").read_text(encoding="utf-8").split()[0])

    def enable_tls(self, certificate: Path, key: Path) -> None:
        """Serve TLS with this certificate (PEM) and key; the server reloads its settings."""
        for source, name in ((certificate, "server.crt"), (key, "server.key")):
            target = self.data / name
            shutil.copyfile(source, target)
            target.chmod(0o600)  # the server refuses a key others can read
            if self._as_postgres:
                shutil.chown(target, user="postgres")
        self.admin("ALTER SYSTEM SET ssl = on")
        self.admin("SELECT pg_reload_conf()")

    def restart(self) -> None:
        """Start again after `stop_server()` (same data, same port)."""
        self._pg_ctl_start()

    def stop_server(self) -> None:
        """Stop the server, keeping its data (the server-down tests start it again)."""
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def stop(self) -> None:
        self._end_watchdog()
        if self.data.exists():
            self.stop_server()
        shutil.rmtree(self.folder, ignore_errors=True)

    # ---- databases -----------------------------------------------------------------------

    def admin(self, sql: str) -> None:
        """Run one statement as the admin role, outside a transaction."""
        import psycopg

        with psycopg.connect(self.admin_conninfo, autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create_password_role(self) -> None:
        self.admin(f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD '{PASSWORD}'")

    def create_database(self) -> str:
        """A new empty database, open to every role; returns its name."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        self.admin(f"CREATE DATABASE {name}")
        self.admin(f"GRANT ALL ON DATABASE {name} TO PUBLIC")
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={ADMIN_USER} dbname={name}", autocommit=True
        ) as conn:  # PostgreSQL 15 no longer lets every role create in schema public
            conn.execute("GRANT ALL ON SCHEMA public TO PUBLIC")
        return name

    def drop_database(self, name: str) -> None:
        with contextlib.suppress(Exception):
            self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
