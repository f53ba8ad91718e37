"""``python -m scaleapi``: the ``scaleapi`` command line (see ``scaleapi.cli``)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
