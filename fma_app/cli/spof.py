"""`fma-app spof MODEL [--format text|json]`: failures that alone lose an entry point."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from fma_app.cli import COMMAND_HELP
from fma_app.cli.impact import load_model
from fma_app.cli.model_io import MODEL_HELP

if TYPE_CHECKING:  # networkx and the domain load only when the command runs
    from fma_app.analysis.impact import SinglePointOfFailure
    from fma_app.domain.model import Model

NO_FAILURE_MODES = "no failure mode recorded"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "spof",
        help=COMMAND_HELP["spof"],
        description="List the single points of failure: components whose failure alone takes "
        "down at least one entry point (user-facing component) other than themselves, with the "
        "entry points lost, flagging those with no failure mode recorded. The file is only read.",
    )
    parser.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


def spof_record(model: Model, spof: SinglePointOfFailure) -> dict[str, object]:
    from fma_app.analysis.impact import names

    return {
        "component": model.components[spof.component_id].name,
        "entry_points": names(model, spof.entry_points),
        "has_failure_modes": spof.has_failure_modes,
    }


def format_text(model: Model, spofs: list[SinglePointOfFailure]) -> str:
    from fma_app.analysis.impact import names

    if not any(c.user_facing for c in model.components.values()):
        return "no entry points: mark the user-facing components to find single points of failure"
    if not spofs:
        return "no single points of failure"
    unflagged = sum(1 for s in spofs if not s.has_failure_modes)
    lines = [f"Single points of failure ({len(spofs)}, {unflagged} with {NO_FAILURE_MODES}):"]
    width = max(len(model.components[s.component_id].name) for s in spofs)
    for spof in spofs:
        name = model.components[spof.component_id].name
        line = f"  {name:<{width}}  takes down {', '.join(names(model, spof.entry_points))}"
        lines.append(line if spof.has_failure_modes else f"{line}  [{NO_FAILURE_MODES}]")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from fma_app.analysis.impact import single_points_of_failure

    model = load_model(args.model)
    spofs = single_points_of_failure(model)
    if args.format == "json":
        records = [spof_record(model, spof) for spof in spofs]
        print(json.dumps(records, indent=2, ensure_ascii=False))
    else:
        print(format_text(model, spofs))
    return 0
