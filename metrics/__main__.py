"""``python -m metrics``: see metrics.cli."""

import sys

from metrics.cli.main import main

sys.exit(main())
