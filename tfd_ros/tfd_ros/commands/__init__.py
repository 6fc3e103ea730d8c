"""Subcommands of the ``tfd`` command line, one module each."""
