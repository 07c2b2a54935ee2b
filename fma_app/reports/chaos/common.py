"""What every chaos draft shares: what it needs from a failure mode, names, tags and texts.

A draft is a plain dict (JSON-ready) that one format module builds from one failure mode; a
failure mode the format cannot express, or that lacks what the draft needs (a fault, a target on
its component, a steady-state probe), raises `CannotDraftError` with the reason shown to the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fma_app.domain.model import Component, FailureMode, Model
from fma_app.domain.resilience import ChaosTarget, Fault, SteadyStateProbe

# Tags a draft carries so a journal finds its way back: the model's identity and the failure
# mode's id (Chaos Toolkit keeps an experiment's tags in the journal it writes).
MODEL_TAG = "fma-model"
FAILURE_MODE_TAG = "fma-failure-mode"


class CannotDraftError(Exception):
    """The draft is not written; the message says why, in a few words."""


@dataclass(frozen=True)
class DraftInput:
    """A failure mode with everything a draft needs, checked present."""

    model: Model
    component: Component
    failure_mode: FailureMode
    fault: Fault
    target: ChaosTarget
    probe: SteadyStateProbe

    @property
    def title(self) -> str:
        name = self.failure_mode.failure_mode or f"failure mode {self.failure_mode.id}"
        return f"{self.component.name}: {name}"

    @property
    def description(self) -> str:
        """Failure mode, effect and hypothesis: the heart of an experiment's description."""
        fm = self.failure_mode
        parts = [f"Failure mode: {fm.failure_mode or '(unnamed)'} ({self.component.name})."]
        if fm.effect:
            parts.append(f"Effect: {fm.effect}.")
        hypothesis = fm.resilience.hypothesis or "(no hypothesis written yet)"
        parts.append(f"Hypothesis: {hypothesis}")
        parts.append(f"Fault: {self.fault.describe()} on {self.target.describe()}.")
        parts.append(f"Steady state: {self.probe.describe()}.")
        return " ".join(" ".join(part.split()) for part in parts)

    @property
    def tags(self) -> list[str]:
        return [
            "fma-workbench",
            f"{MODEL_TAG}:{self.model.uuid}",
            f"{FAILURE_MODE_TAG}:{self.failure_mode.id}",
            f"component:{slug(self.component.name)}",
            f"fault:{slug(self.fault.kind.value)}",
        ]


def draft_input(model: Model, failure_mode: FailureMode) -> DraftInput:
    """The failure mode's draft input, or CannotDraftError naming what is missing."""
    component = model.component(failure_mode.component_id)
    resilience = failure_mode.resilience
    if resilience.fault is None:
        raise CannotDraftError("it has no fault to inject")
    if component.chaos_target is None:
        raise CannotDraftError(f"component {component.name!r} has no chaos target")
    if resilience.probe is None:
        raise CannotDraftError("it has no steady-state probe")
    return DraftInput(
        model, component, failure_mode, resilience.fault, component.chaos_target, resilience.probe
    )


def slug(text: str, limit: int = 40) -> str:
    """Lower-case letters, digits and single dashes: safe in file names and Kubernetes names."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return cleaned[:limit].rstrip("-") or "unnamed"


def draft_stem(component: Component, failure_mode: FailureMode) -> str:
    """ "payment-api--timeout-to-acquirer-12": component, failure mode, and the id that makes it
    unique."""
    return f"{slug(component.name)}--{slug(failure_mode.failure_mode)}-{failure_mode.id}"


def label_pairs(selector: str) -> list[tuple[str, str]]:
    """The target selector "app=checkout,tier=web" as pairs (already validated)."""
    pairs = []
    for part in selector.split(","):
        key, _, value = part.partition("=")
        pairs.append((key.strip(), value.strip()))
    return pairs


def iso_duration(seconds: int) -> str:
    """ISO 8601 duration as AWS FIS writes it: PT2M, PT90S, PT1H."""
    if seconds % 3600 == 0:
        return f"PT{seconds // 3600}H"
    if seconds % 60 == 0:
        return f"PT{seconds // 60}M"
    return f"PT{seconds}S"
