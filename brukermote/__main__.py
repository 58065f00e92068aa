"""``python -m brukermote …``: the same commands as the ``brukermote`` script, from this checkout."""

from .cli import cli

cli(prog_name="brukermote")
