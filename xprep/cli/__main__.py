"""``python -m xprep.cli``."""

from xprep.cli import main

main()
