import sys

from fma_app.cli import main

sys.exit(main())
