"""The command line, ``python -m metrics``: one argparse tree (parser.py) over the commands of extract/eval
(parser.py) and of the store (store_commands.py)."""

from metrics.cli.parser import build_parser, main

__all__ = ["build_parser", "main"]
