"""Chaos experiment drafts (Chaos Toolkit, LitmusChaos, AWS FIS) and Chaos Toolkit journals.

`plan_drafts` decides, per selected failure mode, the draft text or the reason it is skipped;
`write_drafts` writes them into a folder. Nothing here runs an experiment.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fma_app.domain.model import FailureMode, Model
from fma_app.reports.chaos import chaostoolkit, fis, litmus
from fma_app.reports.chaos.common import CannotDraftError, draft_input, draft_stem
from fma_app.reports.chaos.yaml_text import to_yaml

Writer = Callable[[Any], dict[str, Any]]
FORMATS: dict[str, tuple[Writer, str]] = {
    chaostoolkit.FORMAT: (chaostoolkit.write_draft, chaostoolkit.SUFFIX),
    litmus.FORMAT: (litmus.write_draft, litmus.SUFFIX),
    fis.FORMAT: (fis.write_draft, fis.SUFFIX),
}
FORMAT_LABELS = {"chaostoolkit": "Chaos Toolkit", "litmus": "LitmusChaos", "fis": "AWS FIS"}


@dataclass(frozen=True)
class Draft:
    failure_mode: FailureMode
    file_name: str
    data: dict[str, Any]

    def text(self) -> str:
        if self.file_name.endswith(".yaml"):
            return to_yaml(self.data)
        return json.dumps(self.data, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class Skipped:
    failure_mode: FailureMode
    reason: str


def selected_failure_modes(model: Model, ids: Iterable[int] | None) -> list[FailureMode]:
    """The failure modes asked for (all that have a fault when `ids` is None), in model order.

    Raises KeyError naming the first id that is no failure mode of the model."""
    if ids is None:
        return [fm for fm in model.failure_modes.values() if fm.resilience.fault is not None]
    wanted = list(dict.fromkeys(ids))
    for one in wanted:
        if one not in model.failure_modes:
            raise KeyError(one)
    return [model.failure_modes[one] for one in wanted]


def plan_drafts(
    model: Model, format_name: str, failure_modes: Iterable[FailureMode]
) -> tuple[list[Draft], list[Skipped]]:
    writer, suffix = FORMATS[format_name]
    drafts: list[Draft] = []
    skipped: list[Skipped] = []
    for fm in failure_modes:
        try:
            data = writer(draft_input(model, fm))
        except CannotDraftError as reason:
            skipped.append(Skipped(fm, str(reason)))
            continue
        component = model.component(fm.component_id)
        drafts.append(Draft(fm, draft_stem(component, fm) + suffix, data))
    return drafts, skipped


def write_drafts(drafts: Iterable[Draft], folder: Path) -> list[Path]:
    """Write each draft into `folder` (created if missing), each file replaced whole."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for draft in drafts:
        path = folder / draft.file_name
        temp = path.with_name(f".{path.name}.tmp")
        temp.write_text(draft.text(), encoding="utf-8")
        os.replace(temp, path)
        written.append(path)
    return written


def skip_line(model: Model, skipped: Skipped, format_name: str) -> str:
    component = model.component(skipped.failure_mode.component_id)
    name = skipped.failure_mode.failure_mode or "(unnamed)"
    return (
        f"skipped failure mode {skipped.failure_mode.id} ({component.name}: {name}): "
        f"no {FORMAT_LABELS[format_name]} draft because {skipped.reason}"
    )
