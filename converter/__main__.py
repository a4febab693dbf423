"""`python -m converter` is the `course` command."""

from .command import main

main()
