"""`python -m zof` runs the `zof` command."""

from zof.cli.main import main

main()
