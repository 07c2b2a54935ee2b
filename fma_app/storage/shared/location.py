"""Where a shared model lives: `postgresql://[user[:password]@]host[:port]/database?model=KEY`.

The `model` parameter is ours: it is taken out before the rest reaches libpq, which refuses
parameters it does not know. Every other parameter (sslmode, sslrootcert, connect_timeout, ...)
passes through unchanged. A password may be in the URL, in `PGPASSWORD` or in `~/.pgpass`
(libpq reads those itself); `display` is the URL without any password, for titles, recent
entries, logs and messages. Pure standard library: parsing a URL imports no driver.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, replace

from fma_app.storage.shared.errors import SharedStoreError

SCHEMES = ("postgresql", "postgresql+psycopg", "postgres")
MODEL_PARAMETER = "model"
# Query parameters that hold secrets: kept for libpq, never shown.
_SECRET_PARAMETERS = frozenset({"password", "sslpassword"})
# A model key is a stable slug chosen at push: it stays in everyone's URLs while the model's
# display name changes.
MODEL_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
KEY_RULE = "lower-case letters, digits, '-' and '_', starting with a letter or digit, at most 63"


def is_shared_location(text: str) -> bool:
    """Whether `text` is meant as a PostgreSQL URL rather than a file path."""
    scheme, separator, _rest = str(text).partition("://")
    return bool(separator) and scheme.lower() in SCHEMES


def check_model_key(key: str) -> str:
    if not MODEL_KEY.fullmatch(key):
        raise SharedStoreError(
            f"the model key {_shown(key)} is not a slug ({KEY_RULE} characters)",
            reason="bad-url",
        )
    return key


@dataclass(frozen=True, repr=False)
class SharedLocation:
    """A parsed URL. `netloc` keeps the user, password, hosts and ports exactly as written
    (percent-encoded); `query` holds every parameter but `model`, in order. Its repr (and so
    str, a log line's %s, a debugger, a test report) is `display`: never the password."""

    netloc: str
    database: str
    query: tuple[tuple[str, str], ...]
    model_key: str | None

    def __repr__(self) -> str:
        # The fields may hold a password (netloc, a password= parameter): never in a repr,
        # which ends up in logs and tracebacks.
        return f"SharedLocation({self.display!r})"

    @property
    def user(self) -> str | None:
        userinfo, at, _hosts = self.netloc.rpartition("@")
        if not at:
            return None
        return urllib.parse.unquote(userinfo.partition(":")[0]) or None

    @property
    def password(self) -> str | None:
        """The password written in the URL, if any (libpq may still find one elsewhere)."""
        userinfo, at, _hosts = self.netloc.rpartition("@")
        _name, colon, secret = userinfo.partition(":")
        if at and colon:
            return urllib.parse.unquote(secret)
        return dict(self.query).get("password")

    @property
    def hosts(self) -> str:
        """host[:port][,host[:port]...] as written; empty for the local Unix socket."""
        return self.netloc.rpartition("@")[2]

    @property
    def server(self) -> str:
        """Server and database, for messages: "db.example.com:5432/fma"."""
        return f"{urllib.parse.unquote(self.hosts) or 'localhost'}/{self.database}"

    @property
    def display(self) -> str:
        """The URL without any password: safe in titles, recent entries, logs and messages."""
        userinfo, at, hosts = self.netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}@{hosts}" if at and user else hosts
        shown = [(k, v) for k, v in self.query if k not in _SECRET_PARAMETERS]
        if self.model_key is not None:
            shown.append((MODEL_PARAMETER, self.model_key))
        query = f"?{urllib.parse.urlencode(shown, quote_via=urllib.parse.quote)}" if shown else ""
        return f"postgresql://{netloc}/{urllib.parse.quote(self.database)}{query}"

    @property
    def database_display(self) -> str:
        """`display` without the model: the database as a whole (fma-app models)."""
        return self.with_model(None).display

    def conninfo(self, password: str | None = None) -> str:
        """What libpq gets: the URL without `model`, with `password` (if given) in place of any
        written one. Never show it: it may hold a password."""
        netloc = self.netloc
        if password is not None:
            userinfo, at, hosts = netloc.rpartition("@")
            user = userinfo.partition(":")[0] if at else ""
            netloc = f"{user}:{urllib.parse.quote(password, safe='')}@{hosts}"
        # %20, not '+': libpq does not read '+' as a space (options=-c statement_timeout=...)
        query = urllib.parse.urlencode(
            [(k, v) for k, v in self.query if password is None or k != "password"],
            quote_via=urllib.parse.quote,
        )
        database = urllib.parse.quote(self.database, safe="")
        return f"postgresql://{netloc}/{database}" + (f"?{query}" if query else "")

    def with_model(self, key: str | None) -> SharedLocation:
        return replace(self, model_key=None if key is None else check_model_key(key))


def parse_location(text: str) -> SharedLocation:
    """Parse a PostgreSQL URL, or raise SharedStoreError naming what is wrong with it (the
    message shows the URL without its password)."""
    text = str(text).strip()
    if not is_shared_location(text):
        raise SharedStoreError(
            f"{_shown(_masked(text))} is not a PostgreSQL URL "
            "(postgresql://[user@]host[:port]/database?model=KEY)",
            reason="bad-url",
        )
    if any(not ch.isprintable() or ch.isspace() for ch in text):
        raise SharedStoreError(
            f"the URL {_shown(_masked(text))} holds spaces or control characters",
            reason="bad-url",
        )
    _scheme, _sep, rest = text.partition("://")
    netloc, slash, after = rest.partition("/")
    path, _question, query_text = after.partition("?")
    path = path.partition("#")[0]
    query_text = query_text.partition("#")[0]
    database = urllib.parse.unquote(path)
    where = _masked(text)
    if not slash or not database:
        raise SharedStoreError(
            f"the URL {where} names no database (postgresql://host/DATABASE?model=KEY)",
            reason="bad-url",
        )
    if "@" in database:  # user:pa/ss@host: libpq ends the user name and password at a '/'
        raise SharedStoreError(
            f"the URL {where} has a '/' before its '@': write a '/' or '@' in the user name or "
            "password percent-encoded (%2F, %40)",
            reason="bad-url",
        )
    if "/" in database:
        raise SharedStoreError(
            f"the URL {where} has a path after the database name {database.split('/')[0]!r}",
            reason="bad-url",
        )
    try:
        pairs = urllib.parse.parse_qsl(
            query_text, keep_blank_values=True, strict_parsing=bool(query_text)
        )
    except ValueError:
        raise SharedStoreError(
            f"the URL {where} has a malformed query (name=value&name=value)", reason="bad-url"
        ) from None
    _check_ports(netloc.rpartition("@")[2], where)
    for name, value in pairs:
        if name == "port":  # libpq's ?port=5432[,5433]
            _check_ports(",".join(f":{port}" for port in value.split(",")), where)
    keys = [value for name, value in pairs if name == MODEL_PARAMETER]
    if len(keys) > 1:
        raise SharedStoreError(f"the URL {where} names more than one model", reason="bad-url")
    model_key = check_model_key(keys[0]) if keys else None
    query = tuple((name, value) for name, value in pairs if name != MODEL_PARAMETER)
    return SharedLocation(netloc, database, query, model_key)


def _check_ports(hosts: str, where: str) -> None:
    """Each host's port, when written, is a number from 1 to 65535 (libpq would only say
    "invalid integer value" or try the wrong port)."""
    for host in hosts.split(","):
        # An IPv6 address is bracketed: its colons are not the port's.
        _address, colon, port = host.rpartition("]")[2].rpartition(":")
        if not colon or not port:  # no port, or an empty one: libpq's default (5432)
            continue
        if not port.isascii() or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise SharedStoreError(
                f"the URL {where} has the port {_shown(urllib.parse.unquote(port))}: a port is "
                "a number from 1 to 65535 (postgresql://host:5432/database)",
                reason="bad-url",
            )


def _masked(text: str) -> str:
    """A URL as the user typed it, with any password replaced: for messages about a URL that
    could not be parsed."""
    scheme, separator, rest = text.partition("://")
    if not separator:
        return text
    rest = re.sub(r"([?&](?:ssl)?password=)[^&#]*", r"\1****", rest)
    # The user-info ends at the last '@' before the query: a password written with a '/' in
    # it (not percent-encoded) must be masked too, though the URL is refused.
    head = re.split(r"[?#]", rest, maxsplit=1)[0]
    userinfo, at, _after_at = head.rpartition("@")
    if at and ":" in userinfo:
        rest = f"{userinfo.partition(':')[0]}:****@{rest[len(userinfo) + 1 :]}"
    return f"{scheme}{separator}{rest}"


def _shown(text: str) -> str:
    return repr(text) if not text.isprintable() else f"'{text}'"
