"""The review rules behind `fma-app check` and the Review panel: what a model breaks, by rule.

Each rule has a stable id (documented in the README, used in policy files and waivers). A rule
checks items of one kind (failure modes, components, actions, ...) and yields a `Finding` for
each item that breaks it. A `Policy` turns rules on and off, sets their thresholds and waives
single items until an expiry date; an expired waiver waives nothing and is a finding of its own
(rule `waiver-expired`). Dates are judged as of `as_of`, so a run can be repeated.

A rule that needs an input the model does not hold (traces for `dependency-not-in-model`)
reports itself as skipped with the reason when the input is not given, never as passed.

Pure Python over the domain: no I/O, no Qt. networkx loads only when the model has entry points
(the single-point-of-failure rule needs the impact analysis).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal, NamedTuple

from fma_app.domain.model import (
    Action,
    ActionStatus,
    Component,
    Dependency,
    FailureMode,
    Model,
)
from fma_app.domain.scoring import ActionPriority, action_priority, rpn

if TYPE_CHECKING:
    from fma_app.analysis.topology import ObservedTopology
    from fma_app.analysis.trace_merge import TracedDependency

ItemKind = Literal["failure mode", "component", "action", "dependency", "entry point", "waiver"]

HIGH_PRIORITY = "high-priority-without-action"
NOT_RATED = "not-rated"
SPOF = "spof-without-failure-modes"
OVERDUE = "overdue-action"
SLO = "slo-above-ceiling"
NOT_IN_MODEL = "dependency-not-in-model"
REVISED_NOT_BETTER = "revised-not-better"
NO_FAILURE_MODES = "component-without-failure-modes"
WAIVER_EXPIRED = "waiver-expired"


@dataclass(frozen=True)
class Rule:
    id: str
    title: str  # what breaking it means, one line
    checks: ItemKind
    on_by_default: bool = True
    # Settings the policy may give this rule, name -> (type, default); see `Policy`.
    settings: tuple[tuple[str, type, object], ...] = ()


RULES: tuple[Rule, ...] = (
    Rule(
        HIGH_PRIORITY,
        "a failure mode of high Action Priority with no open, in-progress or done action and "
        "no justification",
        "failure mode",
        settings=(("rpn_at_least", int, None),),
    ),
    Rule(NOT_RATED, "a failure mode without all three scores", "failure mode"),
    Rule(SPOF, "a single point of failure with no failure mode recorded", "component"),
    Rule(
        OVERDUE,
        "an open or in-progress action past its due date",
        "action",
        settings=(("grace_days", int, 0),),
    ),
    Rule(SLO, "an entry point whose SLO its dependencies cannot meet", "entry point"),
    Rule(NOT_IN_MODEL, "a dependency seen in traces that the model lacks", "dependency"),
    Rule(
        REVISED_NOT_BETTER,
        "revised scores with a higher RPN or a higher Action Priority than the initial ones",
        "failure mode",
    ),
    Rule(NO_FAILURE_MODES, "a component with no failure mode", "component", on_by_default=False),
    Rule(WAIVER_EXPIRED, "a waiver past its expiry date", "waiver"),
)
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}


class Item(NamedTuple):
    """One thing a rule checks. Names are None where they do not apply; ids let a view select
    the item (component_id for a component or a failure mode's component)."""

    kind: ItemKind
    label: str  # how a test report names it
    component: str | None = None
    failure_mode: str | None = None
    failure_mode_id: int | None = None
    dependency: str | None = None  # "source -> target"
    component_id: int | None = None
    dependency_id: int | None = None


class Finding(NamedTuple):
    rule: str
    item: Item
    message: str

    @property
    def component(self) -> str | None:
        return self.item.component

    @property
    def failure_mode(self) -> str | None:
        return self.item.failure_mode

    @property
    def failure_mode_id(self) -> int | None:
        return self.item.failure_mode_id

    @property
    def dependency(self) -> str | None:
        return self.item.dependency

    def as_record(self) -> dict[str, object]:
        """The JSON record of `fma-app check` (None where a field does not apply)."""
        return {
            "rule": self.rule,
            "component": self.component,
            "failure_mode": self.failure_mode,
            "failure_mode_id": self.failure_mode_id,
            "dependency": self.dependency,
            "message": self.message,
        }


@dataclass(frozen=True)
class Waiver:
    """Waives one item of one rule: exactly one of failure_mode_id, component, dependency."""

    rule: str
    reason: str
    owner: str
    expires: dt.date
    failure_mode_id: int | None = None
    component: str | None = None  # a component name, any case
    dependency: str | None = None  # "source -> target", names in any case

    @property
    def target(self) -> str:
        if self.failure_mode_id is not None:
            return f"failure mode {self.failure_mode_id}"
        if self.component is not None:
            return f"component {self.component}"
        return f"dependency {self.dependency}"

    def matches(self, rule: str, item: Item) -> bool:
        if rule != self.rule:
            return False
        if self.failure_mode_id is not None:
            return item.failure_mode_id == self.failure_mode_id
        if self.component is not None:
            # A component waiver covers the component and, for failure mode rules, its rows.
            return (item.component or "").casefold() == self.component.strip().casefold()
        return _dependency_key(item.dependency) == _dependency_key(self.dependency)


def _dependency_key(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(part.strip().casefold() for part in text.split("->"))


@dataclass(frozen=True)
class Policy:
    """Which rules run, their settings, and the waivers. The default policy runs every rule that
    is on by default with its default settings."""

    enabled: dict[str, bool] = field(default_factory=dict)  # rule id -> on/off, over defaults
    settings: dict[str, dict[str, object]] = field(default_factory=dict)  # rule id -> values
    waivers: tuple[Waiver, ...] = ()

    def is_enabled(self, rule_id: str) -> bool:
        return self.enabled.get(rule_id, RULES_BY_ID[rule_id].on_by_default)

    def setting(self, rule_id: str, name: str) -> object:
        values = self.settings.get(rule_id, {})
        if name in values:
            return values[name]
        defaults = {key: default for key, _, default in RULES_BY_ID[rule_id].settings}
        return defaults[name]


@dataclass(frozen=True)
class ReviewInputs:
    """What the rules read besides the model. `observed` is None when no traces were given."""

    model: Model
    as_of: dt.date
    observed: ObservedTopology | None = None

    @cached_property
    def failure_mode_items(self) -> list[tuple[FailureMode, Item]]:
        """Every failure mode with its item, made once for the three failure mode rules."""
        components = self.model.components
        return [
            (fm, failure_mode_item(fm, components[fm.component_id]))
            for fm in self.model.failure_modes.values()
        ]


@dataclass
class RuleResult:
    rule: Rule
    items: list[Item]
    findings: list[Finding]  # not waived
    waived: list[tuple[Finding, Waiver]] = field(default_factory=list)
    skipped: str = ""  # why the rule did not run (then items and findings are empty)


@dataclass
class Review:
    as_of: dt.date
    results: list[RuleResult]

    @property
    def findings(self) -> list[Finding]:
        return [finding for result in self.results for finding in result.findings]

    @property
    def waived(self) -> list[tuple[Finding, Waiver]]:
        return [pair for result in self.results for pair in result.waived]

    @property
    def ran(self) -> list[RuleResult]:
        return [result for result in self.results if not result.skipped]

    @property
    def skipped(self) -> list[RuleResult]:
        return [result for result in self.results if result.skipped]

    @property
    def passed(self) -> bool:
        return not self.findings


# ---- items ------------------------------------------------------------------------------------
def failure_mode_item(fm: FailureMode, component: Component) -> Item:
    name = fm.failure_mode or "(unnamed failure mode)"
    return Item(
        "failure mode",
        f"{component.name}: {name} [#{fm.id}]",
        component.name,
        fm.failure_mode,
        fm.id,
        component_id=component.id,
    )


def component_item(component: Component) -> Item:
    return Item("component", component.name, component.name, component_id=component.id)


def dependency_name(model: Model, dependency: Dependency) -> str:
    source, target = model.components[dependency.source_id], model.components[dependency.target_id]
    return f"{source.name} -> {target.name}"


# ---- the rules --------------------------------------------------------------------------------
Check = Callable[[ReviewInputs, Policy], tuple[list[Item], list[Finding]]]
_LIVE = frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.DONE})
_AP_ORDER = {ActionPriority.LOW: 0, ActionPriority.MEDIUM: 1, ActionPriority.HIGH: 2}


def _current_scores(fm: FailureMode) -> tuple[int, ActionPriority, str] | None:
    """RPN and AP now: the revised scores when there are any, else the initial ones."""
    if fm.revised is not None:
        r = fm.revised
        return rpn(r.severity, r.likelihood, r.detection), r.ap, "revised"
    s, lk, d = fm.severity, fm.likelihood, fm.detection
    if s is None or lk is None or d is None:
        return None
    return rpn(s, lk, d), action_priority(s, lk, d), "initial"


def check_high_priority(inputs: ReviewInputs, policy: Policy) -> tuple[list[Item], list[Finding]]:
    model = inputs.model
    threshold = policy.setting(HIGH_PRIORITY, "rpn_at_least")
    handled = {a.failure_mode_id for a in model.actions.values() if a.status in _LIVE}
    items, findings = [], []
    for fm, item in inputs.failure_mode_items:
        items.append(item)
        current = _current_scores(fm)
        if current is None or fm.id in handled or fm.justification.strip():
            continue
        risk, ap, which = current
        reasons = []
        if ap is ActionPriority.HIGH:
            reasons.append(f"Action Priority H ({which} scores)")
        if isinstance(threshold, int) and risk >= threshold:
            reasons.append(f"RPN {risk} ({which} scores) at or above {threshold}")
        if reasons:
            message = (
                f"{' and '.join(reasons)} with no open, in-progress or done action and no "
                "justification"
            )
            findings.append(Finding(HIGH_PRIORITY, item, message))
    return items, findings


def check_not_rated(inputs: ReviewInputs, policy: Policy) -> tuple[list[Item], list[Finding]]:
    items, findings = [], []
    for fm, item in inputs.failure_mode_items:
        items.append(item)
        missing = [
            name for name in ("severity", "likelihood", "detection") if getattr(fm, name) is None
        ]
        if missing:
            findings.append(Finding(NOT_RATED, item, f"not rated yet: no {', '.join(missing)}"))
    return items, findings


def check_revised_not_better(
    inputs: ReviewInputs, policy: Policy
) -> tuple[list[Item], list[Finding]]:
    items, findings = [], []
    for fm, item in inputs.failure_mode_items:
        revised, initial = fm.revised, fm.scores
        if revised is None:
            continue
        items.append(item)
        if initial is None:  # revised scores of a failure mode not rated: nothing to compare
            continue
        worse = []
        if revised.rpn > initial.rpn:
            worse.append(f"RPN {initial.rpn} -> {revised.rpn}")
        if _AP_ORDER[revised.ap] > _AP_ORDER[initial.ap]:
            worse.append(f"AP {initial.ap} -> {revised.ap}")
        if worse:
            message = f"revised scores raise the risk: {', '.join(worse)}"
            findings.append(Finding(REVISED_NOT_BETTER, item, message))
    return items, findings


def check_overdue(inputs: ReviewInputs, policy: Policy) -> tuple[list[Item], list[Finding]]:
    model, as_of = inputs.model, inputs.as_of
    grace = policy.setting(OVERDUE, "grace_days")
    grace_days = grace if isinstance(grace, int) else 0
    items, findings = [], []
    for action in model.actions.values():
        if action.status.is_closed:
            continue
        fm = model.failure_modes[action.failure_mode_id]
        component = model.components[fm.component_id]
        base = failure_mode_item(fm, component)
        item = base._replace(kind="action", label=f"{base.label} action {action.id}")
        items.append(item)
        days = action.days_overdue(as_of)
        if days > grace_days:
            findings.append(Finding(OVERDUE, item, _overdue_message(action, days, grace_days)))
    return items, findings


def _overdue_message(action: Action, days: int, grace_days: int) -> str:
    what = f"action {action.id}"
    if action.description:
        what += f" {action.description!r}"
    owner = f", owner {action.owner}" if action.owner else ""
    grace = f" (grace {grace_days} days)" if grace_days else ""
    assert action.due_date is not None  # an overdue action has a due date
    return (
        f"{what} ({action.status.value}{owner}) was due {action.due_date.isoformat()}: "
        f"{days} day{'s' if days != 1 else ''} overdue{grace}"
    )


def check_spof(inputs: ReviewInputs, policy: Policy) -> tuple[list[Item], list[Finding]]:
    model = inputs.model
    items = [component_item(c) for c in model.components.values()]
    if not any(c.user_facing for c in model.components.values()):
        return items, []  # no entry points, no single points of failure (and no networkx)
    from fma_app.analysis.impact import names, single_points_of_failure

    by_id = {item.component_id: item for item in items}
    findings = []
    for spof in single_points_of_failure(model):
        if spof.has_failure_modes:
            continue
        lost = ", ".join(names(model, spof.entry_points))
        message = f"single point of failure of {lost} with no failure mode recorded"
        findings.append(Finding(SPOF, by_id[spof.component_id], message))
    return items, findings


def check_component_without_failure_modes(
    inputs: ReviewInputs, policy: Policy
) -> tuple[list[Item], list[Finding]]:
    model = inputs.model
    with_modes = {fm.component_id for fm in model.failure_modes.values()}
    items = [component_item(c) for c in model.components.values()]
    findings = [
        Finding(NO_FAILURE_MODES, item, "no failure mode recorded")
        for item in items
        if item.component_id not in with_modes
    ]
    return items, findings


def _percent(fraction: float) -> str:
    """99.95 %, with more decimals when it is that close to 100 % (99.99995 %)."""
    for decimals in range(2, 10):
        text = f"{fraction * 100:.{decimals}f}"
        if fraction >= 1.0 or not text.startswith("100."):
            return text.rstrip("0").rstrip(".") + " %"
    return f"{fraction * 100:.9f} %"


def check_slo(inputs: ReviewInputs, policy: Policy) -> tuple[list[Item], list[Finding]]:
    """Each entry point with an SLO: the availability its dependencies allow (the availability
    analysis, exact, or sampled on graphs too large) must reach the SLO. A sampled figure breaks
    the rule only when its whole 95 % interval lies below the SLO, so a gate never flips on
    sampling noise."""
    model = inputs.model
    if not any(c.user_facing and c.slo is not None for c in model.components.values()):
        return [], []  # nothing to check (and no networkx)
    from fma_app.analysis.availability import entry_point_availability

    items, findings = [], []
    for figures in entry_point_availability(model):
        if figures.slo is None:
            continue
        component = model.components[figures.entry_point]
        item = component_item(component)._replace(kind="entry point")
        items.append(item)
        ceiling = figures.interval[1] if figures.interval else figures.availability
        if ceiling >= figures.slo:
            continue
        how = "sampled estimate" if figures.method == "sampled" else "availability"
        message = (
            f"{how} {_percent(figures.availability)} from its dependencies is below its SLO "
            f"{_percent(figures.slo)}"
        )
        consumed = figures.budget_consumed
        if consumed is not None:
            message += (
                f": the architecture alone uses {consumed:.0%} of the "
                f"{figures.window_days:g}-day error budget"
            )
        if figures.contributors:
            top = figures.contributors[0]
            message += f"; costliest: {model.components[top.component_id].name}"
        if figures.unknown_components:
            message += (
                f" ({len(figures.unknown_components)} component(s) of unknown availability "
                "counted as never failing: the real figure is lower)"
            )
        findings.append(Finding(SLO, item, message))
    return items, findings


def check_not_in_model(inputs: ReviewInputs, policy: Policy) -> tuple[list[Item], list[Finding]]:
    """Each dependency the traces saw that the model lacks, matched as `fma-app import-traces
    --merge` matches (component names and aliases, any case): what the merge would add."""
    from fma_app.analysis.trace_merge import traced_dependencies

    model, observed = inputs.model, inputs.observed
    assert observed is not None  # NEEDS_INPUT skips the rule without traces
    by_name = {c.name: c for c in model.components.values()}
    items, findings = [], []
    for traced in traced_dependencies(model, observed):
        source = by_name.get(traced.source)
        item = Item(
            "dependency",
            traced.name,
            component=traced.source,
            dependency=traced.name,
            component_id=source.id if source is not None else None,
        )
        items.append(item)
        if not traced.in_model:
            findings.append(Finding(NOT_IN_MODEL, item, _not_in_model_message(traced)))
    return items, findings


def _not_in_model_message(traced: TracedDependency) -> str:
    seen = f"{traced.calls:,} call{'s' if traced.calls != 1 else ''}"
    if traced.errors:
        seen += f", {traced.errors:,} error{'s' if traced.errors != 1 else ''}"
    message = f"seen in the traces ({seen}) but not in the model"
    if len(traced.unknown) == 1:
        message += f"; {traced.unknown[0]} is not a component of it either"
    elif traced.unknown:
        message += f"; {' and '.join(traced.unknown)} are not components of it either"
    return message


# rule id -> its check; a rule absent here is skipped with the reason in NOT_AVAILABLE.
CHECKS: dict[str, Check] = {
    HIGH_PRIORITY: check_high_priority,
    NOT_RATED: check_not_rated,
    SPOF: check_spof,
    OVERDUE: check_overdue,
    SLO: check_slo,
    NOT_IN_MODEL: check_not_in_model,
    REVISED_NOT_BETTER: check_revised_not_better,
    NO_FAILURE_MODES: check_component_without_failure_modes,
}
NOT_AVAILABLE: dict[str, str] = {}  # none today: every rule has its check
# Rules that run only when an input is given: rule id -> (is it given?, why skipped if not).
NEEDS_INPUT: dict[str, tuple[Callable[[ReviewInputs], bool], str]] = {
    NOT_IN_MODEL: (lambda inputs: inputs.observed is not None, "no traces given (--traces)"),
}


# ---- the review -------------------------------------------------------------------------------
def review(inputs: ReviewInputs, policy: Policy | None = None) -> Review:
    """Every enabled rule over the model, with the policy's waivers applied."""
    policy = policy or Policy()
    live = [w for w in policy.waivers if w.expires >= inputs.as_of]
    results = []
    for rule in RULES:
        if rule.id == WAIVER_EXPIRED or not policy.is_enabled(rule.id):
            continue
        results.append(_run(rule, inputs, policy, live))
    results.append(_expired_waivers(policy.waivers, inputs.as_of))
    return Review(inputs.as_of, results)


def _run(rule: Rule, inputs: ReviewInputs, policy: Policy, waivers: list[Waiver]) -> RuleResult:
    check = CHECKS.get(rule.id)
    if check is None:
        return RuleResult(rule, [], [], skipped=NOT_AVAILABLE[rule.id])
    needs = NEEDS_INPUT.get(rule.id)
    if needs is not None and not needs[0](inputs):
        return RuleResult(rule, [], [], skipped=needs[1])
    items, found = check(inputs, policy)
    result = RuleResult(rule, items, [])
    relevant = [w for w in waivers if w.rule == rule.id]
    for finding in found:
        waiver = next((w for w in relevant if w.matches(rule.id, finding.item)), None)
        if waiver is None:
            result.findings.append(finding)
        else:
            result.waived.append((finding, waiver))
    return result


def _expired_waivers(waivers: Iterable[Waiver], as_of: dt.date) -> RuleResult:
    rule = RULES_BY_ID[WAIVER_EXPIRED]
    items, findings = [], []
    for waiver in waivers:
        item = Item(
            "waiver",
            f"{waiver.rule} for {waiver.target}",
            component=waiver.component,
            failure_mode_id=waiver.failure_mode_id,
            dependency=waiver.dependency,
        )
        items.append(item)
        if waiver.expires < as_of:
            message = (
                f"the waiver of {waiver.rule} for {waiver.target} (owner {waiver.owner}) "
                f"expired {waiver.expires.isoformat()}: renew it or act on the item"
            )
            findings.append(Finding(WAIVER_EXPIRED, item, message))
    return RuleResult(rule, items, findings)
