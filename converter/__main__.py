"""`python -m converter` is the `course` command."""

import sys

from .command import main

sys.exit(main())
