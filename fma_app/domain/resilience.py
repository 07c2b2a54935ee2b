"""Resilience of a failure mode: the fault that tests it, the hypothesis, the steady-state probe,
the mitigations and runbook, and the record of the last experiment; and the chaos target of a
component (where a fault is injected).

Every value object is frozen and built through a `checked` constructor that names the field and
the problem, so an importer, the report, storage and the UI refuse bad input with one message.
The drafts for chaos tools (`fma_app.reports.chaos`) read these; nothing here knows a format.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from fma_app.domain.dates import parse_date
from fma_app.domain.errors import ValidationError

E = TypeVar("E", bound=StrEnum)


class FaultKind(StrEnum):
    """What a chaos experiment injects (the vocabulary the README's fault x format table uses)."""

    INSTANCE_KILLED = "instance killed"  # an instance or pod killed
    SCALED_TO_ZERO = "scaled to zero"  # the whole service scaled to zero
    DEPENDENCY_UNREACHABLE = "dependency unreachable"  # network partition / proxy disabled
    LATENCY = "latency"
    ERRORS = "errors"  # errors returned
    CPU_EXHAUSTED = "cpu exhausted"
    MEMORY_EXHAUSTED = "memory exhausted"
    DISK_EXHAUSTED = "disk exhausted"
    DNS_FAILURE = "dns failure"


# The one magnitude each fault takes: (name shown to the user, unit, smallest, largest).
MAGNITUDES: dict[FaultKind, tuple[str, str, int, int]] = {
    FaultKind.LATENCY: ("latency", "ms", 1, 600_000),
    FaultKind.ERRORS: ("error rate", "%", 1, 100),
    FaultKind.CPU_EXHAUSTED: ("CPU share", "%", 1, 100),
    FaultKind.MEMORY_EXHAUSTED: ("memory share", "%", 1, 100),
    FaultKind.DISK_EXHAUSTED: ("disk fill", "%", 1, 100),
}
MAX_DURATION_S = 86_400  # a day: longer is not an experiment but an outage


class Platform(StrEnum):
    KUBERNETES = "kubernetes"
    AWS = "aws"
    TOXIPROXY = "toxiproxy"


class AwsResourceType(StrEnum):
    EC2_INSTANCE = "ec2-instance"
    ECS_TASK = "ecs-task"
    RDS_CLUSTER = "rds-cluster"


class ProbeKind(StrEnum):
    HTTP = "http"
    PROMETHEUS = "prometheus"


class MitigationPattern(StrEnum):
    TIMEOUT = "timeout"
    RETRY = "retry with backoff"
    CIRCUIT_BREAKER = "circuit breaker"
    BULKHEAD = "bulkhead"
    FALLBACK = "fallback or cache"
    FAILOVER = "failover"
    RATE_LIMIT = "rate limit"
    LOAD_SHEDDING = "load shedding"
    IDEMPOTENCY_KEY = "idempotency key"


class MitigationState(StrEnum):
    IN_PLACE = "in place"
    PLANNED = "planned"


class ExperimentStatus(StrEnum):
    NOT_PLANNED = "not planned"
    PLANNED = "planned"
    PASSED = "passed"
    FAILED = "failed"
    NOT_CONCLUDED = "not concluded"


def _enum(enum_type: type[E], label: str, value: object) -> E:
    """An enum member from itself or its text in any case, `_` and `-` read as spaces."""
    if isinstance(value, enum_type):
        return value
    text = _normal(str(value))
    for member in enum_type:
        if text == _normal(member.value):
            return member
    allowed = ", ".join(member.value for member in enum_type)
    raise ValidationError(f"{label} {value!r} is not one of: {allowed}")


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


def _whole(label: str, value: object, smallest: int, largest: int) -> int:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    if number is None or not smallest <= number <= largest:
        raise ValidationError(
            f"{label} {value!r} is not a whole number from {smallest} to {largest}"
        )
    return number


def _one_line(label: str, value: object, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"{label} must be text, not {value!r}")
    text = value.strip()
    if any(ch in text for ch in "\r\n\t"):
        raise ValidationError(f"{label} must be one line")
    if required and not text:
        raise ValidationError(f"{label} must not be empty")
    return text


def _text(label: str, value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"{label} must be text, not {value!r}")
    return value.strip()


# ---- the fault -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Fault:
    """What to inject, for how long, and how hard (the fault's one magnitude, if it has one)."""

    kind: FaultKind
    duration_s: int = 60
    magnitude: int | None = None

    @staticmethod
    def checked(kind: object, duration_s: object = 60, magnitude: object = None) -> Fault:
        fault_kind = _enum(FaultKind, "fault", kind)
        duration = _whole("fault duration (s)", duration_s, 1, MAX_DURATION_S)
        spec = MAGNITUDES.get(fault_kind)
        if spec is None:
            if magnitude not in (None, ""):
                raise ValidationError(f"fault {fault_kind.value!r} takes no magnitude")
            return Fault(fault_kind, duration, None)
        name, unit, smallest, largest = spec
        if magnitude in (None, ""):
            raise ValidationError(f"fault {fault_kind.value!r} needs its {name} ({unit})")
        return Fault(fault_kind, duration, _whole(f"{name} ({unit})", magnitude, smallest, largest))

    def describe(self) -> str:
        """ "latency 300 ms for 120 s"."""
        spec = MAGNITUDES.get(self.kind)
        size = f" {self.magnitude} {spec[1]}".replace(" %", "%") if spec else ""
        return f"{self.kind.value}{size} for {self.duration_s} s"


# ---- the target, on the component ----------------------------------------------------------
_LABEL = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$")
_DNS_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def parse_pairs(label: str, text: str) -> tuple[tuple[str, str], ...]:
    """ "app=checkout,tier=web" as ((app, checkout), (tier, web)); refuses anything else."""
    pairs: list[tuple[str, str]] = []
    for part in (p.strip() for p in text.split(",")):
        key, equals, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not equals or not _LABEL.match(key) or (value and not _LABEL.match(value)):
            raise ValidationError(f"{label} {text!r} is not key=value pairs separated by commas")
        pairs.append((key, value))
    return tuple(pairs)


@dataclass(frozen=True)
class ChaosTarget:
    """Where a fault is injected into the component.

    kubernetes: `namespace` and a label `selector` ("app=checkout") and/or a `deployment`;
    `cluster` names the EKS cluster when AWS FIS should reach the pods.
    aws: `resource_type` and either tags in `selector` ("service=checkout") or `resource_ids`.
    toxiproxy: `proxy`, the name of the proxy in front of the component.
    """

    platform: Platform
    namespace: str = ""
    selector: str = ""
    deployment: str = ""
    cluster: str = ""
    resource_type: AwsResourceType | None = None
    resource_ids: tuple[str, ...] = ()
    proxy: str = ""

    @staticmethod
    def checked(
        platform: object,
        *,
        namespace: object = "",
        selector: object = "",
        deployment: object = "",
        cluster: object = "",
        resource_type: object = None,
        resource_ids: object = (),
        proxy: object = "",
    ) -> ChaosTarget:
        kind = _enum(Platform, "target platform", platform)
        texts = {
            "namespace": _one_line("namespace", namespace),
            "selector": _one_line("selector", selector),
            "deployment": _one_line("deployment", deployment),
            "cluster": _one_line("cluster", cluster),
            "proxy": _one_line("proxy", proxy),
        }
        ids = _ids(resource_ids)
        aws_type = None if resource_type in (None, "") else _enum(
            AwsResourceType, "AWS resource type", resource_type
        )  # fmt: skip
        needed = {
            Platform.KUBERNETES: ("namespace",),
            Platform.AWS: (),
            Platform.TOXIPROXY: ("proxy",),
        }[kind]
        for name in needed:
            if not texts[name]:
                raise ValidationError(f"a {kind.value} target needs a {name}")
        if texts["selector"]:
            parse_pairs("selector", texts["selector"])
        for name in ("namespace", "deployment"):
            if texts[name] and not _DNS_NAME.match(texts[name]):
                raise ValidationError(
                    f"{name} {texts[name]!r} is not a Kubernetes name (lower case, digits, -)"
                )
        if kind == Platform.KUBERNETES and not (texts["selector"] or texts["deployment"]):
            raise ValidationError("a kubernetes target needs a label selector or a deployment")
        if kind == Platform.AWS:
            if aws_type is None:
                raise ValidationError("an aws target needs a resource type")
            if not (texts["selector"] or ids):
                raise ValidationError("an aws target needs tags (key=value) or resource ids")
        return ChaosTarget(kind, resource_type=aws_type, resource_ids=ids, **texts)

    def describe(self) -> str:
        if self.platform == Platform.KUBERNETES:
            what = self.selector or f"deployment {self.deployment}"
            return f"kubernetes {self.namespace}/{what}"
        if self.platform == Platform.AWS:
            kind = self.resource_type.value if self.resource_type else "?"
            return f"aws {kind} {self.selector or ','.join(self.resource_ids)}"
        return f"toxiproxy {self.proxy}"


def _ids(value: object) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ValidationError(f"resource ids {value!r} must be text or a list of text")
    return tuple(_one_line("resource id", item, required=True) for item in items)


# ---- the steady state ----------------------------------------------------------------------
@dataclass(frozen=True)
class SteadyStateProbe:
    """How to tell the system is healthy: an HTTP GET answering `expected_status` within
    `timeout_s`, or a Prometheus `query` whose value stays at or below `threshold`."""

    kind: ProbeKind
    url: str  # the URL to GET, or the Prometheus server's base URL
    expected_status: int = 200
    timeout_s: int = 5
    query: str = ""
    threshold: float | None = None

    @staticmethod
    def checked(
        kind: object,
        url: object,
        *,
        expected_status: object = 200,
        timeout_s: object = 5,
        query: object = "",
        threshold: object = None,
    ) -> SteadyStateProbe:
        probe_kind = _enum(ProbeKind, "probe", kind)
        address = _one_line("probe URL", url, required=True)
        if not re.match(r"^https?://[^\s/]+", address):
            raise ValidationError(f"probe URL {address!r} must start with http:// or https://")
        status = _whole("expected status", expected_status, 100, 599)
        timeout = _whole("probe timeout (s)", timeout_s, 1, 300)
        promql = _one_line("Prometheus query", query)
        limit: float | None = None
        if probe_kind == ProbeKind.PROMETHEUS:
            if not promql:
                raise ValidationError("a Prometheus probe needs a query")
            limit = _number("threshold", threshold)
        elif promql or threshold not in (None, ""):
            raise ValidationError("an HTTP probe takes no query or threshold")
        return SteadyStateProbe(probe_kind, address, status, timeout, promql, limit)

    def describe(self) -> str:
        if self.kind == ProbeKind.HTTP:
            return f"GET {self.url} answers {self.expected_status} within {self.timeout_s} s"
        return f"{self.query} <= {self.threshold:g} (Prometheus {self.url})"


def _number(label: str, value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        try:
            number = float(str(value).strip())
        except ValueError:
            raise ValidationError(f"{label} {value!r} is not a number") from None
    if number != number or abs(number) > 1e300:
        raise ValidationError(f"{label} {value!r} is not a finite number")
    return number


# ---- mitigations, runbook, experiment record -----------------------------------------------
@dataclass(frozen=True)
class Mitigation:
    pattern: MitigationPattern
    state: MitigationState = MitigationState.IN_PLACE

    def describe(self) -> str:
        return f"{self.pattern.value} ({self.state.value})"


def parse_mitigations(value: object) -> tuple[Mitigation, ...]:
    """Mitigations from "circuit breaker (in place); retry with backoff (planned)", a list of
    such texts, or Mitigation objects; a pattern appears at most once, in the order given."""
    if value is None or value == "":
        return ()
    items = [p for p in value.split(";")] if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ValidationError(f"mitigations {value!r} must be text or a list")
    found: dict[MitigationPattern, Mitigation] = {}
    for item in items:
        mitigation = _mitigation(item)
        if mitigation is None:
            continue
        if mitigation.pattern in found:
            raise ValidationError(f"mitigation {mitigation.pattern.value!r} is listed twice")
        found[mitigation.pattern] = mitigation
    return tuple(found.values())


def _mitigation(item: object) -> Mitigation | None:
    if isinstance(item, Mitigation):
        return item
    if not isinstance(item, str):
        raise ValidationError(f"mitigation {item!r} must be text")
    text = item.strip()
    if not text:
        return None
    state: object = MitigationState.IN_PLACE
    match = re.fullmatch(r"(.*?)\s*\(([^()]*)\)", text)
    if match:
        text, state = match.group(1), match.group(2)
    return Mitigation(
        _enum(MitigationPattern, "mitigation", text),
        _enum(MitigationState, "mitigation state", state),
    )


def format_mitigations(mitigations: tuple[Mitigation, ...]) -> str:
    """The text `parse_mitigations` reads back."""
    return "; ".join(m.describe() for m in mitigations)


RUNBOOK_SCHEMES = ("http", "https", "file")


def runbook_is_openable(link: str) -> bool:
    """Only http, https and file links are opened from the app; a plain path counts as file."""
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", link.strip())
    if scheme is None or (len(scheme.group(1)) == 1):  # "C:\..." is a Windows path, not a scheme
        return bool(link.strip())
    return scheme.group(1).lower() in RUNBOOK_SCHEMES


@dataclass(frozen=True)
class ExperimentRecord:
    status: ExperimentStatus = ExperimentStatus.NOT_PLANNED
    date: dt.date | None = None
    result: str = ""  # where the result is: a journal path, a URL, a ticket

    @staticmethod
    def checked(status: object, date: object = None, result: object = "") -> ExperimentRecord:
        return ExperimentRecord(
            _enum(ExperimentStatus, "experiment status", status),
            parse_date("experiment date", date),
            _one_line("experiment result", result),
        )


@dataclass(frozen=True)
class Resilience:
    """A failure mode's resilience: empty by default (no fault, nothing planned)."""

    fault: Fault | None = None
    hypothesis: str = ""
    probe: SteadyStateProbe | None = None
    mitigations: tuple[Mitigation, ...] = ()
    runbook: str = ""
    experiment: ExperimentRecord = ExperimentRecord()

    @staticmethod
    def checked(
        *,
        fault: object = None,
        hypothesis: object = "",
        probe: object = None,
        mitigations: object = (),
        runbook: object = "",
        experiment: object = None,
    ) -> Resilience:
        if fault is not None and not isinstance(fault, Fault):
            raise ValidationError(f"fault {fault!r} is not a Fault")
        if probe is not None and not isinstance(probe, SteadyStateProbe):
            raise ValidationError(f"probe {probe!r} is not a SteadyStateProbe")
        if experiment is None:
            experiment = ExperimentRecord()
        if not isinstance(experiment, ExperimentRecord):
            raise ValidationError(f"experiment {experiment!r} is not an ExperimentRecord")
        return Resilience(
            fault=fault,
            hypothesis=_text("hypothesis", hypothesis),
            probe=probe,
            mitigations=parse_mitigations(mitigations),
            runbook=_one_line("runbook", runbook),
            experiment=experiment,
        )

    @property
    def is_empty(self) -> bool:
        return self == NO_RESILIENCE


NO_RESILIENCE = Resilience()


def new_model_uuid() -> str:
    """A model's identity, made once when the model is created (copies and round trips keep it)."""
    return str(uuid.uuid4())


def checked_uuid(value: object) -> str:
    try:
        return str(uuid.UUID(str(value).strip()))
    except ValueError:
        raise ValidationError(f"model identity {value!r} is not a UUID") from None


# ---- one-line forms of a target, for a single text field -----------------------------------
_TARGET_FIELDS = ("namespace", "selector", "deployment", "cluster", "resource_type",
                  "resource_ids", "proxy")  # fmt: skip


def format_target(target: ChaosTarget | None) -> str:
    """ "kubernetes namespace=shop selector=app=api cluster=eks": the text `parse_target` reads."""
    if target is None:
        return ""
    parts = [target.platform.value]
    for name in _TARGET_FIELDS:
        value = getattr(target, name)
        if name == "resource_type" and value is not None:
            value = value.value
        if name == "resource_ids":
            value = ",".join(value)
        if value:
            parts.append(f"{name}={value}")
    return " ".join(parts)


def parse_target(text: str) -> ChaosTarget | None:
    """A target from its one-line form; empty text is no target."""
    words = text.split()
    if not words:
        return None
    fields: dict[str, object] = {}
    for word in words[1:]:
        name, equals, value = word.partition("=")
        if not equals or name not in _TARGET_FIELDS:
            allowed = ", ".join(_TARGET_FIELDS)
            raise ValidationError(
                f"target field {word!r} is not name=value with a name of: {allowed}"
            )
        fields[name] = value
    return ChaosTarget.checked(words[0], **fields)
