"""FMA Workbench: failure mode analysis of systems modelled as dependency graphs."""

from importlib.metadata import PackageNotFoundError, version


def _installed_version() -> str:
    try:
        return version("fma-workbench")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


__version__ = _installed_version()
