"""`python -m zwgk.cli …` is the `zwgk` command."""

from zwgk.cli import main

main()
