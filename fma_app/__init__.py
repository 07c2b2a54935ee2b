"""FMA Workbench: failure mode analysis of systems modelled as dependency graphs."""

# The one place the version is written: the package build reads it from here
# ([tool.hatch.version] in pyproject.toml). A literal, because asking importlib.metadata for the
# installed version cost every command 40-120 ms of imports before it did anything.
__version__ = "0.1.0"
