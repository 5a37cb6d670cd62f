"""``python -m transpiler ...`` is the ``transpiler`` command."""
import sys

from .cli import main

sys.exit(main())
