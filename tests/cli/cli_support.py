"""Shared by the impact and spof command tests: a model whose answers are known by hand."""

from __future__ import annotations

from fma_app.cli import main
from fma_app.domain.model import Model


def shop_model() -> Model:
    """Web shop, mobile app and Admin are entry points. Web shop and mobile app need API; API
    needs db and (pay-a OR pay-b, group "pay"), both on vault, and weakly cache; Admin needs db.
    Only db has a failure mode."""
    model = Model(name="Shop")
    c = {
        name: model.add_component(name, user_facing=name in ("Web shop", "mobile app", "Admin"))
        for name in (
            "Web shop",
            "mobile app",
            "Admin",
            "API",
            "db",
            "cache",
            "pay-a",
            "pay-b",
            "vault",
        )
    }
    for source, target, strength, group in [
        ("Web shop", "API", "strong", ""),
        ("mobile app", "API", "strong", ""),
        ("Admin", "db", "strong", ""),
        ("API", "db", "strong", ""),
        ("API", "cache", "weak", ""),
        ("API", "pay-a", "strong", "pay"),
        ("API", "pay-b", "strong", "pay"),
        ("pay-a", "vault", "strong", ""),
        ("pay-b", "vault", "strong", ""),
    ]:
        model.add_dependency(c[source].id, c[target].id, strength, group=group)
    model.add_failure_mode(c["db"].id, failure_mode="Disk full", severity=8)
    return model


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """The command in-process: exit code, stdout, stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
