"""Test harness pieces: a throwaway RabbitMQ vhost, throwaway PostgreSQL databases,
a broker node and a database cluster of a test's own (to restart), and the system's
processes started as real subprocesses.

Settings: ``CRM_TEST_AMQP_URI`` (the broker; its vhost part is replaced),
``CRM_TEST_RABBIT_API`` (the management API), ``CRM_TEST_POSTGRES_URL`` (a database the
harness can CREATE DATABASE from).
"""
from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from .rpc_client import RpcClient, ServiceUnavailable
from .supervisor import ProcessSpec, read_procfile

AMQP_URI = os.environ.get("CRM_TEST_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
RABBIT_API = os.environ.get("CRM_TEST_RABBIT_API", "http://guest:guest@127.0.0.1:15672/api")
POSTGRES_URL = os.environ.get("CRM_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")


class HarnessUnavailable(RuntimeError):
    """Something the tests need outside the system (the broker, its management API,
    PostgreSQL) does not answer; the message says in one line what to do. The root
    conftest stops the run on it instead of failing every test after it."""


class RabbitVhost:
    """A vhost of its own, so tests never see another run's queues or messages; on the
    shared broker unless given another's ``amqp_uri`` and management ``api`` (a
    PrivateBroker's)."""

    def __init__(self, prefix: str = "crm-test", amqp_uri: str | None = None, api: str | None = None):
        self.name = f"{prefix}-{uuid.uuid4().hex[:10]}"
        self.broker_uri = amqp_uri or AMQP_URI
        parts = urlsplit(api or RABBIT_API)
        self.api = urlunsplit((parts.scheme, parts.hostname + (f":{parts.port}" if parts.port else ""),
                               parts.path, "", ""))
        self.auth = (parts.username or "guest", parts.password or "guest")
        amqp = urlsplit(self.broker_uri)
        self.amqp_uri = urlunsplit((amqp.scheme, amqp.netloc, "/" + quote(self.name, safe=""), "", ""))

    @property
    def management_url(self) -> str:
        """The management API with the harness's administrator login in it."""
        parts = urlsplit(self.api)
        return urlunsplit((parts.scheme, f"{quote(self.auth[0], safe='')}:{quote(self.auth[1], safe='')}@"
                           f"{parts.netloc}", parts.path, "", ""))

    def __enter__(self) -> RabbitVhost:
        vhost = quote(self.name, safe="")
        try:
            requests.get(f"{self.api}/overview", auth=self.auth, timeout=10).raise_for_status()
        except requests.RequestException as exc:
            raise HarnessUnavailable(self._why_no_management_api(exc)) from None
        requests.put(f"{self.api}/vhosts/{vhost}", auth=self.auth, timeout=10).raise_for_status()
        requests.put(f"{self.api}/permissions/{vhost}/{quote(self.auth[0])}", auth=self.auth, timeout=10,
                     json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
        return self

    def _why_no_management_api(self, exc: requests.RequestException) -> str:
        amqp = urlsplit(self.broker_uri)
        try:
            socket.create_connection((amqp.hostname, amqp.port or 5672), timeout=3).close()
        except OSError:
            return (f"RabbitMQ does not answer at {amqp.hostname}:{amqp.port or 5672}: start it "
                    "(rabbitmq-server -detached) or point CRM_TEST_AMQP_URI at one")
        if isinstance(exc, requests.HTTPError):
            return (f"RabbitMQ's management API at {self.api} refused us ({exc.response.status_code}): "
                    "CRM_TEST_RABBIT_API needs an administrator's user and password")
        return (f"RabbitMQ runs, but its management API does not answer at {self.api} (the tests make a "
                "throwaway vhost through it): run `rabbitmq-plugins enable rabbitmq_management`, "
                "or point CRM_TEST_RABBIT_API at it")

    def __exit__(self, *_exc) -> None:
        self.delete_own_users()
        requests.delete(f"{self.api}/vhosts/{quote(self.name, safe='')}", auth=self.auth, timeout=30)

    def delete_own_users(self) -> None:
        """Users are the broker's, not a vhost's: a test that made some (crm broker
        setup, a subscriber's) leaves none behind. Deleted: the users named crm-...
        whose every permission is on this vhost (never the harness's own login)."""
        vhost = quote(self.name, safe="")
        answer = requests.get(f"{self.api}/vhosts/{vhost}/permissions", auth=self.auth, timeout=10)
        if not answer.ok:
            return
        for user in {p["user"] for p in answer.json()} - {self.auth[0]}:
            if not user.startswith("crm-"):
                continue
            theirs = requests.get(f"{self.api}/users/{quote(user, safe='')}/permissions", auth=self.auth, timeout=10)
            if theirs.ok and {p["vhost"] for p in theirs.json()} == {self.name}:
                requests.delete(f"{self.api}/users/{quote(user, safe='')}", auth=self.auth, timeout=10)

    def queue_depth(self, queue: str) -> int:
        """Messages in a queue, counted by the broker (the management API lags a little)."""
        from kombu import Connection

        with Connection(self.amqp_uri) as conn:
            _, count, _ = conn.default_channel.queue_declare(queue, passive=True)
            return count


class PostgresDatabases:
    """One fresh database per name, dropped afterwards; on the shared PostgreSQL unless
    given another's ``admin_url`` (a PrivateDatabase's)."""

    def __init__(self, names: list[str], prefix: str = "crm_test", admin_url: str | None = None):
        suffix = uuid.uuid4().hex[:8]
        self.names = {name: f"{prefix}_{name}_{suffix}" for name in names}
        self.admin_url = admin_url or POSTGRES_URL
        self.admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)

    def url(self, name: str) -> str:
        return make_url(self.admin_url).set(database=self.names[name]).render_as_string(hide_password=False)

    def __enter__(self) -> PostgresDatabases:
        try:
            self.admin.connect().close()
        except OperationalError as exc:
            url = make_url(self.admin_url).render_as_string(hide_password=True)
            raise HarnessUnavailable(
                f"PostgreSQL does not answer at {url} ({str(exc.orig).strip().splitlines()[0]}): start it "
                "(pg_ctlcluster <version> main start) or point CRM_TEST_POSTGRES_URL at one") from None
        with self.admin.connect() as conn:
            for database in self.names.values():
                conn.execute(text(f'CREATE DATABASE "{database}"'))
        return self

    def __exit__(self, *_exc) -> None:
        with self.admin.connect() as conn:
            for database in self.names.values():
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        self.admin.dispose()


def _give_to(directory: Path, user: str) -> list[str]:
    """Make ``directory`` the server user's when we are root (PostgreSQL refuses to run as
    root; RabbitMQ's wrapper switches to its own user); returns the argv prefix that runs
    a command as that user (none when we are not root)."""
    if os.geteuid() != 0:
        return []
    owner = pwd.getpwnam(user)
    os.chown(directory, owner.pw_uid, owner.pw_gid)
    return ["runuser", "-u", user, "--"]


class PrivateBroker:
    """A RabbitMQ node of a test's own: its own name, ports and directory (removed at the
    end), started from this machine's rabbitmq-server. A test may ``restart`` it without
    touching the shared node every other test run uses. ``amqp_uri`` and ``api`` are what
    RabbitVhost takes. (It registers its name with the machine's epmd, as every node does.)"""

    @staticmethod
    def available() -> bool:
        return bool(shutil.which("rabbitmq-server") and shutil.which("rabbitmqctl"))

    def __init__(self):
        self.node = f"crmtest-{uuid.uuid4().hex[:8]}@localhost"
        self.port, self.api_port = free_port(), free_port()
        self.amqp_uri = f"amqp://guest:guest@127.0.0.1:{self.port}/"
        self.api = f"http://guest:guest@127.0.0.1:{self.api_port}/api"
        self.dir: Path | None = None

    def __enter__(self) -> PrivateBroker:
        self.dir = Path(tempfile.mkdtemp(prefix="crmtest-rabbitmq-"))
        try:
            # Not rabbitmq-server as that user: its Debian wrapper would then write the shared
            # node's startup log; started as root it switches user itself.
            _give_to(self.dir, "rabbitmq")
            # Its own config file, so none of the shared node's listeners (5672, 15672).
            (self.dir / "rabbitmq.conf").write_text(
                f"listeners.tcp.default = 127.0.0.1:{self.port}\n"
                f"management.tcp.ip = 127.0.0.1\nmanagement.tcp.port = {self.api_port}\n")
            (self.dir / "enabled_plugins").write_text("[rabbitmq_management].\n")
            env = {**os.environ, "RABBITMQ_NODENAME": self.node, "RABBITMQ_DIST_PORT": str(free_port()),
                   "RABBITMQ_CONFIG_FILE": str(self.dir / "rabbitmq"),
                   "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.dir / "enabled_plugins"),
                   "RABBITMQ_MNESIA_BASE": str(self.dir / "mnesia"), "RABBITMQ_LOG_BASE": str(self.dir / "log"),
                   "RABBITMQ_PID_FILE": str(self.dir / "pid")}
            subprocess.run(["rabbitmq-server", "-detached"], env=env, check=True, capture_output=True, timeout=60)
            self._await_startup()
        except BaseException:
            self.__exit__()
            raise
        return self

    @contextlib.contextmanager
    def down(self):
        """What an operator's restart of the broker does to its clients: every connection
        dropped and the node away inside the block; back after it, with its durable
        queues and their messages."""
        self._ctl("stop_app")
        try:
            yield
        finally:
            self._ctl("start_app")
            self._await_startup()

    def restart(self) -> None:
        with self.down():
            pass

    def _ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["rabbitmqctl", "-q", "-n", self.node, *args], check=check, capture_output=True,
                              text=True, timeout=120)

    def _await_startup(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        # await_startup fails at once while the node has not even registered its name yet
        while (done := self._ctl("await_startup", "--timeout", str(int(timeout)), check=False)).returncode:
            if time.monotonic() > deadline:
                logs = "".join(path.read_text()[-2000:] for path in (self.dir / "log").glob("*.log"))
                raise RuntimeError(f"the test's own RabbitMQ node {self.node} did not start: {done.stderr}\n{logs}")
            time.sleep(1)

    def __exit__(self, *_exc) -> None:
        pid_file = self.dir / "pid"
        if pid_file.exists():  # the node got as far as booting: stop it and wait for its OS process
            if self._ctl("stop", str(pid_file), check=False).returncode:
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid_file.read_text()), signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)


def _postgres_bin_dir() -> Path | None:
    """Where initdb and pg_ctl are: on PATH, else Debian's newest /usr/lib/postgresql/<version>/bin."""
    on_path = shutil.which("pg_ctl")
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                    key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0, reverse=True)
    candidates = ([Path(on_path).resolve().parent] if on_path else []) + debian
    return next((path for path in candidates if (path / "initdb").exists() and (path / "pg_ctl").exists()), None)


class PrivateDatabase:
    """A PostgreSQL cluster of a test's own: initdb'd in a directory of its own (removed at
    the end), on a port of its own, trust auth, from this machine's PostgreSQL binaries.
    A test may ``restart`` it without touching the shared cluster every other test run
    uses. ``url`` is what PostgresDatabases takes."""

    @staticmethod
    def available() -> bool:
        return _postgres_bin_dir() is not None

    def __init__(self):
        self.port = free_port()
        self.url = f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"
        self.dir: Path | None = None
        self._as_owner: list[str] = []

    def __enter__(self) -> PrivateDatabase:
        self.dir = Path(tempfile.mkdtemp(prefix="crmtest-postgres-"))
        try:
            self._as_owner = _give_to(self.dir, "postgres")
            # --no-sync: a machine crash would lose only this throwaway cluster's first files
            self._run("initdb", "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                      "--no-sync")
            self._pg_ctl("start", "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1")
        except BaseException:
            self.__exit__()
            raise
        return self

    def restart(self) -> None:
        """A clean shutdown (every connection dropped) and a start with the same options."""
        self._pg_ctl("restart")

    def _run(self, command: str, *args: str) -> None:
        argv = [*self._as_owner, str(_postgres_bin_dir() / command), *args]
        done = subprocess.run(argv, cwd=self.dir, capture_output=True, text=True, timeout=120)
        if done.returncode:
            log = self.dir / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr}{tail}")

    def _pg_ctl(self, action: str, *args: str) -> None:
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "server.log"), "-w", "-t", "60",
                  action, *args)

    def __exit__(self, *_exc) -> None:
        if (self.dir / "data" / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):
                self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class Clock:
    """The business clock of processes started with ``CRM_CLOCK_FILE=<path>``
    (see crmkit.db.utcnow): ``advance`` moves it forward while they run."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.offset = 0.0
        self._write()

    def advance(self, *, days: float = 0, seconds: float = 0) -> None:
        self.offset += days * 86400 + seconds
        self._write()

    def set_offset(self, seconds: float) -> None:
        self.offset = seconds
        self._write()

    def _write(self) -> None:
        # Replaced, never rewritten in place: readers key their cache on the inode.
        staging = self.path.with_suffix(".new")
        staging.write_text(repr(self.offset))
        os.replace(staging, self.path)


@contextlib.contextmanager
def migrated_engine(service: str, kind: str, tmp_dir: Path):
    """An engine on a throwaway database of ``service`` at its latest migration:
    ``kind`` "postgresql" (a session time zone far from UTC, so a date taken in local
    time shows) or "sqlite" (the service's own engine settings, in ``tmp_dir``)."""
    from alembic import command

    from .db import make_engine
    from .migrations import config

    if kind == "sqlite":
        url = f"sqlite:///{Path(tmp_dir) / (service + '.db')}"
        command.upgrade(config(service, service, url), "head")
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()
        return
    with PostgresDatabases([service]) as databases:
        url = databases.url(service)
        command.upgrade(config(service, service, url), "head")
        engine = create_engine(url, connect_args={"options": "-c timezone=Pacific/Kiritimati"})
        try:
            yield engine
        finally:
            engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stack:
    """The processes of a Procfile as real subprocesses, each one killable on its own."""

    def __init__(self, procfile: Path, env: dict[str, str], log_dir: Path):
        self.specs = {spec.name: spec for spec in read_procfile(procfile)}
        self.env = {**os.environ, **env}
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen] = {}
        self.port = int(env.get("CRM_GATEWAY_PORT", "8080"))
        self.base_url = f"http://127.0.0.1:{self.port}/api/v1"

    def token(self, role: str = "admin", user_id: str = "tests", team: str | None = None) -> str:
        """A new API token of this stack's gateway, made the way an operator makes the
        first one (``crm-gateway token create``)."""
        argv = [str(Path(sys.executable).parent / "crm-gateway"), "token", "create", "--role", role,
                "--user-id", user_id, "--name", f"{role} {user_id}", "--secret-only"]
        if team:
            argv += ["--team", team]
        return subprocess.run(argv, env=self.env, check=True, capture_output=True, text=True).stdout.strip()

    def setup(self, services: list[str]) -> None:
        for service in services:
            subprocess.run([sys.executable, "-m", "crmkit", "setup", service], env=self.env, check=True,
                           stdout=subprocess.DEVNULL)

    def start(self, name: str, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
        spec: ProcessSpec = self.specs[name]
        argv = [str(Path(sys.executable).parent / spec.argv[0]), *spec.argv[1:]]
        log = open(self.log_dir / f"{name}.log", "ab")
        # Its own session: a Ctrl-C at the test runner reaches the harness, which stops
        # each process once, instead of every process at once and again at teardown.
        proc = subprocess.Popen(argv, env={**self.env, **(extra_env or {})}, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self.procs[name] = proc
        return proc

    def start_all(self) -> None:
        for name in self.specs:
            self.start(name)

    def kill(self, name: str) -> None:
        """SIGKILL: no clean-up, as a crash or an OOM kill would leave it."""
        proc = self.procs.pop(name)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    def stop(self, name: str, timeout: float = 15) -> int:
        proc = self.procs.pop(name)
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError(f"{name} did not stop within {timeout}s of SIGTERM") from None

    def stop_all(self) -> None:
        for name in list(self.procs):
            if self.procs[name].poll() is None:
                self.procs[name].send_signal(signal.SIGTERM)
        for proc in list(self.procs.values()):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()

    def wait_ready(self, services: list[str], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        client = RpcClient(self.env["AMQP_URI"], timeout=2, name="stack-probe")
        try:
            for service in services:
                while True:
                    try:
                        client.call(service, "health")
                        break
                    except ServiceUnavailable:
                        self._check_alive()
                        if time.monotonic() > deadline:
                            raise AssertionError(f"{service} not ready within {timeout}s; see {self.log_dir}") from None
        finally:
            client.close()
        if "gateway" in self.procs:  # it serves gRPC too
            self._wait_grpc_serving(deadline, timeout)
        if "gateway" in self.procs:
            while True:
                with contextlib.suppress(requests.ConnectionError):  # not listening yet
                    if requests.get(f"http://127.0.0.1:{self.port}/health", timeout=1).ok:
                        return
                self._check_alive()
                if time.monotonic() > deadline:
                    raise AssertionError(f"gateway not ready within {timeout}s; see {self.log_dir}")
                time.sleep(0.1)

    def _wait_grpc_serving(self, deadline: float, timeout: float) -> None:
        """The gateway's gRPC health service says SERVING (grpcio comes with the gateway,
        which is installed wherever its Procfile process is)."""
        import grpc
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        target = f"127.0.0.1:{self.env.get('CRM_GRPC_PORT', '50051')}"
        with grpc.insecure_channel(target) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            while True:
                with contextlib.suppress(grpc.RpcError):  # not listening yet
                    answer = health.Check(health_pb2.HealthCheckRequest(), timeout=1)
                    if answer.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                self._check_alive()
                if time.monotonic() > deadline:
                    raise AssertionError(f"gateway's gRPC not serving within {timeout}s; see {self.log_dir}")
                time.sleep(0.1)

    def _check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                tail = (self.log_dir / f"{name}.log").read_text()[-3000:]
                raise AssertionError(f"{name} exited with {proc.returncode}:\n{tail}")

    def logs(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text()
