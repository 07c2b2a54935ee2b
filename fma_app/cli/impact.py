"""`fma-app impact MODEL COMPONENT [--format text|json]`: what one failure takes down."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from fma_app.cli import COMMAND_HELP
from fma_app.cli.common import CliError
from fma_app.cli.model_io import MODEL_HELP

if TYPE_CHECKING:  # networkx, sqlmodel and the domain load only when the command runs
    from fma_app.analysis.impact import BlastRadius
    from fma_app.domain.model import Component, Model

RULES = (
    "Down spreads through strong dependencies (a redundancy group only when fewer of its "
    "members are up than it needs: any one by default, or k of n); a component that depends "
    "on a down one but is not down itself is degraded, and "
    "degraded does not spread further."
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "impact",
        help=COMMAND_HELP["impact"],
        description="Show the blast radius of one component's failure: the components that go "
        "down (the failed one included), those degraded, and the entry points (user-facing "
        "components) lost. The file is only read.",
        epilog=RULES,
    )
    parser.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    parser.add_argument("component", metavar="COMPONENT", help="component name (any case)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


def load_model(path: str) -> Model:
    from fma_app.cli.model_io import read_model

    return read_model(path)


def find_component(model: Model, name: str) -> Component:
    """The component named `name` in any case, or a CliError naming the closest names."""
    found = model.component_by_name(name)
    if found is not None:
        return found
    import difflib  # only a name that matches nothing needs it

    by_folded = {c.name.casefold(): c.name for c in model.components.values()}
    wanted = name.strip().casefold()
    close = difflib.get_close_matches(wanted, list(by_folded), n=3)
    close.sort(key=lambda folded: (-difflib.SequenceMatcher(None, wanted, folded).ratio(), folded))
    if close:
        hint = "did you mean: " + ", ".join(by_folded[folded] for folded in close) + "?"
    else:
        hint = f"no close match among its {len(model.components)} components"
    raise CliError(f"no component named {name.strip()!r} in the model; {hint}")


def impact_record(model: Model, result: BlastRadius) -> dict[str, object]:
    from fma_app.analysis.impact import names

    return {
        "component": model.components[result.failed].name,
        "down": names(model, result.down),
        "degraded": names(model, result.degraded),
        "entry_points_lost": names(model, result.entry_points_lost),
    }


def format_text(model: Model, result: BlastRadius) -> str:
    from fma_app.analysis.impact import names

    lines = [f"Impact of a failure of {model.components[result.failed].name}"]
    sections = (
        ("Down", result.down),
        ("Degraded", result.degraded),
        ("Entry points lost", result.entry_points_lost),
    )
    for label, ids in sections:
        lines.append(f"{label} ({len(ids)}):" if ids else f"{label}: none")
        lines.extend(f"  {name}" for name in names(model, ids))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    component = find_component(model, args.component)
    from fma_app.analysis.impact import blast_radius

    result = blast_radius(model, component.id)
    if args.format == "json":
        print(json.dumps(impact_record(model, result), indent=2, ensure_ascii=False))
    else:
        print(format_text(model, result))
    return 0
