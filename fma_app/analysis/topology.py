"""From spans to components and dependencies, whatever file format the spans came in.

The rules follow the OpenTelemetry Collector's servicegraph connector:

- a CLIENT span in service A whose child SERVER span is in service B makes "A depends on B"
  (strong). They are paired by trace id and span id across everything read, in any order: the
  server span names its caller by its parent span id (a Zipkin server span marked `shared` has
  its client's own id, and the reader passes that);
- a CLIENT span that no server span answers is a call to an uninstrumented peer: a database
  (kind database, or cache for Redis and the like), a message broker, or an external component
  named by `peer.service` or `server.address`. A client span with nothing to name its peer is
  counted as unpaired and left out;
- PRODUCER and CONSUMER spans make both services depend weakly on the broker (kind queue), never
  the producer on the consumer: a consumer being down does not take the producer down;
- a root SERVER span (no parent) has no caller inside the system: its service is an entry point
  candidate.

Each dependency counts calls and errors (an error on either side fails the call), the client
span's latency (p50, p99) and the time range of its spans. Memory stays bounded: spans waiting
for their partner are kept up to `max_pending` (the oldest then give up waiting, as the
connector's store does), and each dependency keeps at most `LATENCY_SAMPLES` latencies (a
reservoir sample beyond that).
"""

from __future__ import annotations

import datetime as dt
import random
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum

from fma_app.domain.model import MAX_COUNT, ComponentKind, ObservedCalls, Strength


class SpanKind(IntEnum):
    """OTLP's span kinds, with OTLP's integer values (Jaeger and Zipkin map to them)."""

    UNSPECIFIED = 0
    INTERNAL = 1
    SERVER = 2
    CLIENT = 3
    PRODUCER = 4
    CONSUMER = 5


# Database systems that hold a cache rather than records (db.system values).
CACHE_SYSTEMS = frozenset(
    {"redis", "memcached", "memcache", "hazelcast", "valkey", "geode", "coherence"}
)
# db.system values (and Zipkin remote service names) that name a database.
DATABASE_SYSTEMS = frozenset(
    {
        "mysql",
        "postgresql",
        "postgres",
        "mssql",
        "oracle",
        "db2",
        "mariadb",
        "sqlite",
        "mongodb",
        "cassandra",
        "couchbase",
        "couchdb",
        "dynamodb",
        "elasticsearch",
        "opensearch",
        "cockroachdb",
        "clickhouse",
        "h2",
        "neo4j",
        "hbase",
        "spanner",
        "cosmosdb",
        "firestore",
        "trino",
        *CACHE_SYSTEMS,
    }
)
MESSAGING_SYSTEMS = frozenset(
    {
        "kafka",
        "rabbitmq",
        "activemq",
        "aws_sqs",
        "aws.sqs",
        "sqs",
        "sns",
        "jms",
        "pulsar",
        "rocketmq",
        "gcp_pubsub",
        "servicebus",
        "eventhubs",
        "nats",
    }
)

# A query says the peer is a database even when nothing names its system (Zipkin's Brave).
_QUERY_ATTRIBUTES = ("db.query.text", "db.statement", "sql.query")
# The span attributes (current and older semantic conventions) that say what a peer is; readers
# keep only these, so the per-span cost does not grow with the attributes a span carries.
PEER_ATTRIBUTES = frozenset(
    {
        "db.system.name",
        "db.system",
        "db.namespace",
        "db.name",
        "server.address",
        "net.peer.name",
        "peer.service",
        "messaging.system",
        "messaging.destination.name",
        "messaging.destination",
        "kafka.topic",
        "rabbit.queue",
        *_QUERY_ATTRIBUTES,
    }
)
ENVIRONMENT_ATTRIBUTES = ("deployment.environment.name", "deployment.environment")
UNKNOWN_BROKER = "message broker"

LATENCY_SAMPLES = 20_000
# About 300 bytes each: at most about 75 MB of spans waiting for their partner (or for the end,
# a client span whose peer no server span answers).
DEFAULT_MAX_PENDING = 250_000
MAX_COMPONENTS = 100_000  # far beyond any service graph; more means the input is not one


class TooManyComponentsError(ValueError):
    """The input names more components than any real system has (hostile or not a trace)."""


@dataclass(frozen=True)
class Peer:
    """What an uninstrumented callee is, from a client span's attributes."""

    name: str
    kind: ComponentKind


def describe_peer(attributes: Mapping[str, object], remote_service: str = "") -> Peer | None:
    """The database, broker or external peer a client span calls, or None if nothing says.

    `attributes` holds (at least) the span's PEER_ATTRIBUTES; `remote_service` is Zipkin's
    remoteEndpoint.serviceName, which instrumentations set to the peer's name."""

    def text(*keys: str) -> str:
        for key in keys:
            value = attributes.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return ""

    remote = remote_service.strip()
    messaging = text("messaging.system")
    destination = text(
        "messaging.destination.name", "messaging.destination", "kafka.topic", "rabbit.queue"
    )
    if messaging or destination:
        return Peer(broker_name(messaging or remote, destination), ComponentKind.QUEUE)
    system = text("db.system.name", "db.system")
    if not system and (remote.casefold() in DATABASE_SYSTEMS or text(*_QUERY_ATTRIBUTES)):
        system = remote or "database"
    if system:
        kind = ComponentKind.CACHE if system.casefold() in CACHE_SYSTEMS else ComponentKind.DATABASE
        return Peer(
            text("db.namespace", "db.name", "server.address", "net.peer.name") or remote or system,
            kind,
        )
    if remote.casefold() in MESSAGING_SYSTEMS:
        return Peer(remote, ComponentKind.QUEUE)
    name = text("peer.service", "server.address", "net.peer.name") or remote
    return Peer(name, ComponentKind.EXTERNAL) if name else None


def broker_name(system: str, destination: str) -> str:
    """ "orders (kafka)" for a topic, the system alone without one: a queue is often named like
    the service that consumes it, and the two must stay separate components."""
    system, destination = system.strip(), destination.strip()
    if destination:
        return f"{destination} ({system or 'queue'})"
    return system or UNKNOWN_BROKER


# ---- what was observed -----------------------------------------------------------------------


@dataclass(frozen=True)
class ObservedComponent:
    name: str
    kind: ComponentKind


@dataclass(frozen=True)
class ObservedDependency:
    """`source` depends on `target`, as the traces saw it."""

    source: str
    target: str
    strength: Strength
    observed: ObservedCalls


@dataclass(frozen=True)
class ObservedTopology:
    components: tuple[ObservedComponent, ...]
    dependencies: tuple[ObservedDependency, ...]
    entry_points: tuple[str, ...]  # services with root server spans: no caller in the system
    observed_from: dt.datetime | None
    observed_to: dt.datetime | None
    spans: int = 0  # spans used (after the environment and time filters)
    unpaired_client_spans: int = 0  # calls to a peer that nothing names


# ---- building it -----------------------------------------------------------------------------

# A kind seen for a name is replaced only by a kind that says more: a service that emitted
# spans is a service, whatever its callers' attributes guessed.
_KIND_RANK = {
    ComponentKind.SERVICE: 3,
    ComponentKind.DATABASE: 2,
    ComponentKind.CACHE: 2,
    ComponentKind.QUEUE: 2,
    ComponentKind.EXTERNAL: 1,
}


@dataclass(slots=True)
class _Edge:
    strength: Strength
    calls: int = 0
    errors: int | None = 0
    latencies_ns: array[int] = field(default_factory=lambda: array("q"))
    latency_count: int = 0  # latencies offered (the reservoir keeps LATENCY_SAMPLES of them)
    first_ns: int = 2**63  # no span yet (a dependency list gives none)
    last_ns: int = -(2**63)
    p50_ms: float | None = None  # given by the input (a servicegraph histogram), not spans
    p99_ms: float | None = None


_NO_TIME = 2**63
# trace id, span id, caller id, service, kind, start ns, end ns, error, peer
SpanRow = tuple[str, str, str, str, int, int, int, bool, "Peer | None"]
# Enum members as module constants: the hot path reads them once per span, and a class
# attribute of an Enum costs several times a global in Python 3.11.
_STRONG, _WEAK = Strength.STRONG, Strength.WEAK
_QUEUE, _SERVICE = ComponentKind.QUEUE, ComponentKind.SERVICE
# (client service, latency ns, error, start ns, end ns, peer)
_PendingClient = tuple[str, int, bool, int, int, Peer | None]
_PendingServer = tuple[str, bool]


class TopologyBuilder:
    """Collects spans (or ready edges) from any number of files; `finish()` gives the topology.

    `since_ns`/`until_ns` keep spans that start in [since, until) (Unix nanoseconds)."""

    def __init__(
        self,
        *,
        since_ns: int | None = None,
        until_ns: int | None = None,
        max_pending: int = DEFAULT_MAX_PENDING,
    ) -> None:
        self.since_ns, self.until_ns, self.max_pending = since_ns, until_ns, max_pending
        self._kinds: dict[str, ComponentKind] = {}
        self._edges: dict[tuple[str, str], _Edge] = {}
        self._entry_points: set[str] = set()
        self._clients: dict[tuple[str, str], _PendingClient] = {}
        self._servers: dict[tuple[str, str], _PendingServer] = {}
        self._first_ns = _NO_TIME  # below and above every real time until a span is added
        self._last_ns = -_NO_TIME
        self._spans = 0
        self._unpaired = 0
        self._random = random.Random(0)  # reservoir sampling, the same result every run

    # ---- input ---------------------------------------------------------------------------
    def add_span(
        self,
        trace_id: str,
        span_id: str,
        caller_id: str,
        service: str,
        kind: int,
        start_ns: int,
        end_ns: int,
        error: bool,
        peer: Peer | None = None,
    ) -> None:
        """One span. `caller_id`: the span id of the span that called it ("" for a root)."""
        self.add_spans(((trace_id, span_id, caller_id, service, kind, start_ns, end_ns, error,
                         peer),))  # fmt: skip

    def add_spans(self, spans: Iterable[SpanRow]) -> None:
        """Spans as `add_span` takes them, one tuple each: a reader hands over a batch, so the
        loop below runs with its look-ups bound once (it is most of a large import's time)."""
        since = -_NO_TIME if self.since_ns is None else self.since_ns
        until = _NO_TIME if self.until_ns is None else self.until_ns
        kinds, clients, servers = self._kinds, self._clients, self._servers
        entry_points, record, max_pending = self._entry_points, self._record, self.max_pending
        first, last, count = self._first_ns, self._last_ns, self._spans
        try:
            for trace_id, span_id, caller_id, service, kind, start_ns, end_ns, error, peer in spans:
                if start_ns < since or start_ns >= until:
                    continue
                count += 1
                if start_ns < first:
                    first = start_ns
                if end_ns > last:
                    last = end_ns
                if service not in kinds:
                    self._note(service, _SERVICE)
                if kind == 2:  # SpanKind.SERVER, as a plain int
                    if not caller_id:
                        entry_points.add(service)
                        continue
                    key = (trace_id, caller_id)
                    client = clients.pop(key, None)
                    if client is None:
                        servers[key] = (service, error)
                        if len(servers) > max_pending:
                            del servers[next(iter(servers))]  # its caller is not coming
                    else:
                        record(client[0], service, _STRONG, client[1], client[2] or error,
                               client[3], client[4])  # fmt: skip
                elif kind == 3:  # SpanKind.CLIENT
                    key = (trace_id, span_id)
                    server = servers.pop(key, None)
                    if server is None:
                        clients[key] = (service, end_ns - start_ns, error, start_ns, end_ns, peer)
                        if len(clients) > max_pending:
                            self._unanswered(clients.pop(next(iter(clients))))
                    else:
                        record(service, server[0], _STRONG, end_ns - start_ns,
                               error or server[1], start_ns, end_ns)  # fmt: skip
                elif kind == 4 or kind == 5:  # PRODUCER, CONSUMER
                    broker = peer if peer is not None and peer.kind == _QUEUE else None
                    name = broker.name if broker else UNKNOWN_BROKER
                    if name not in kinds:
                        self._note(name, _QUEUE)
                    latency = end_ns - start_ns if kind == 4 else None
                    record(service, name, _WEAK, latency, error, start_ns, end_ns)
        finally:
            self._first_ns, self._last_ns, self._spans = first, last, count

    def add_dependency(
        self,
        source: str,
        target: str,
        calls: int,
        errors: int | None,
        *,
        strength: Strength = Strength.STRONG,
        source_kind: ComponentKind = ComponentKind.SERVICE,
        target_kind: ComponentKind = ComponentKind.SERVICE,
        p50_ms: float | None = None,
        p99_ms: float | None = None,
    ) -> None:
        """A dependency the input states whole (a dependency list, servicegraph metrics)."""
        self._note(source, source_kind)
        self._note(target, target_kind)
        if source == target:
            return
        edge = self._edge(source, target, strength)
        edge.calls += calls
        if edge.calls > MAX_COUNT:
            raise TooManyComponentsError(f"{source} -> {target} adds up to more calls than any"
                                         " real count")  # fmt: skip
        edge.errors = None if errors is None or edge.errors is None else edge.errors + errors
        edge.p50_ms, edge.p99_ms = p50_ms, p99_ms

    def add_entry_point(self, service: str) -> None:
        self._note(service, ComponentKind.SERVICE)
        self._entry_points.add(service)

    # ---- pairing -------------------------------------------------------------------------
    def _unanswered(self, client: _PendingClient) -> None:
        """A client span no server span answered: a call to a peer, if anything names it."""
        service, latency, error, start_ns, end_ns, peer = client
        if peer is None:
            self._unpaired += 1
            return
        self._note(peer.name, peer.kind)
        strength = Strength.WEAK if peer.kind == ComponentKind.QUEUE else Strength.STRONG
        self._record(service, peer.name, strength, latency, error, start_ns, end_ns)

    # ---- bookkeeping ---------------------------------------------------------------------
    def _note(self, name: str, kind: ComponentKind) -> None:
        known = self._kinds.get(name)
        if known is None:
            if len(self._kinds) >= MAX_COMPONENTS:
                raise TooManyComponentsError(
                    f"more than {MAX_COMPONENTS:,} distinct services; this is not a service graph"
                )
            self._kinds[name] = kind
        elif _KIND_RANK.get(kind, 0) > _KIND_RANK.get(known, 0):
            self._kinds[name] = kind

    def _edge(self, source: str, target: str, strength: Strength) -> _Edge:
        edge = self._edges.get((source, target))
        if edge is None:
            edge = self._edges[(source, target)] = _Edge(strength)
        elif strength == Strength.STRONG:
            edge.strength = strength  # a synchronous call anywhere makes it strong
        return edge

    def _record(
        self,
        source: str,
        target: str,
        strength: Strength,
        latency_ns: int | None,
        error: bool,
        start_ns: int,
        end_ns: int,
    ) -> None:
        if source == target:
            return  # a service calling itself is no dependency between components
        edge = self._edges.get((source, target))
        if edge is None or (strength is _STRONG and edge.strength is not _STRONG):
            edge = self._edge(source, target, strength)
        edge.calls += 1
        if error and edge.errors is not None:
            edge.errors += 1
        if latency_ns is not None:
            edge.latency_count += 1
            if len(edge.latencies_ns) < LATENCY_SAMPLES:
                edge.latencies_ns.append(latency_ns if latency_ns > 0 else 0)
            else:
                self._sample(edge, max(latency_ns, 0))
        if start_ns < edge.first_ns:
            edge.first_ns = start_ns
        if end_ns > edge.last_ns:
            edge.last_ns = end_ns

    def _sample(self, edge: _Edge, latency_ns: int) -> None:
        """Reservoir sampling once the edge holds LATENCY_SAMPLES latencies."""
        slot = self._random.randrange(edge.latency_count)
        if slot < LATENCY_SAMPLES:
            edge.latencies_ns[slot] = latency_ns

    # ---- output --------------------------------------------------------------------------
    def finish(self) -> ObservedTopology:
        """The topology of everything added; unanswered client spans become peer calls."""
        for client in self._clients.values():
            self._unanswered(client)
        self._clients.clear()
        self._servers.clear()
        dependencies = tuple(
            ObservedDependency(source, target, edge.strength, _statistics(edge))
            for (source, target), edge in sorted(self._edges.items())
        )
        return ObservedTopology(
            components=tuple(
                ObservedComponent(name, kind) for name, kind in sorted(self._kinds.items())
            ),
            dependencies=dependencies,
            entry_points=tuple(sorted(self._entry_points)),
            observed_from=_time(self._first_ns if self._spans else None),
            observed_to=_time(self._last_ns if self._spans else None),
            spans=self._spans,
            unpaired_client_spans=self._unpaired,
        )


def _statistics(edge: _Edge) -> ObservedCalls:
    p50, p99 = edge.p50_ms, edge.p99_ms
    if edge.latencies_ns:
        ordered = sorted(edge.latencies_ns)
        p50, p99 = _percentile(ordered, 0.50), _percentile(ordered, 0.99)
    return ObservedCalls(
        calls=edge.calls,
        errors=edge.errors,
        p50_ms=p50,
        p99_ms=p99,
        first_seen=_time(edge.first_ns if edge.first_ns <= edge.last_ns else None),
        last_seen=_time(edge.last_ns if edge.first_ns <= edge.last_ns else None),
    )


def _percentile(ordered: list[int], fraction: float) -> float:
    """Nearest rank (the smallest value with at least `fraction` of the values at or below it),
    in milliseconds rounded to microseconds: a value that was really measured."""
    rank = max(1, -(-len(ordered) * round(fraction * 100) // 100))
    return round(ordered[rank - 1] / 1e6, 3)


def _time(unix_ns: int | None) -> dt.datetime | None:
    if unix_ns is None:
        return None
    seconds, nanos = divmod(unix_ns, 1_000_000_000)
    try:
        moment = dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None  # a time outside what a datetime holds says nothing useful
    return moment + dt.timedelta(microseconds=nanos // 1000)
