"""Shared set-up of the hostile-input suite: the hypothesis profile and the helper folder."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))  # `import hostile_support` from every test module
