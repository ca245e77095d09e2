"""``python -m workers``: the arq worker. ``rebill worker`` execs this, because api/ may not
import workers/ (DESIGN.md §2)."""

import sys

from workers.settings import main

sys.exit(main())
