"""Entry point of the PyInstaller bundle: the same `fma-app` command as the console script."""

import sys

from fma_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
