"""The click group and the shared helpers of the ``xprep`` commands.

User errors (:class:`xprep.errors.XprepError`) print one line on stderr and exit with code 2;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from xprep import __version__
from xprep.errors import XprepError
from xprep.report import format_table as _table

__all__ = ["ALIGNER_OPTIONS", "_table", "_with", "main"]


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except XprepError as exc:
            click.echo(f"xprep: error: {exc.one_line()}", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xprep")
def main() -> None:
    """xprep: build non-English intermediate-task corpora and test cross-lingual transfer.

    Start with `xprep tasks` and `xprep models list`; `xprep demo` runs the whole translate path
    offline on embedded samples; `xprep run recipes/smoke.yaml` runs the whole study (build, train,
    evaluate clean and perturbed, compare) on tiny models in about a minute.
    """


# --- tasks --------------------------------------------------------------------------------------


ALIGNER_OPTIONS = [
    click.option(
        "--aligner",
        type=click.Choice(["auto", "eflomal", "encoder"]),
        default="auto",
        show_default=True,
        help="auto: the encoder aligner (--align-model, else multilingual-e5-small built offline) where available, "
        "else eflomal; eflomal learns from the build's own bitext (+ --align-bitext).",
    ),
    click.option(
        "--align-model",
        default=None,
        help="HF encoder (folder or hub id) for --aligner encoder (default: e5-small, built offline).",
    ),
    click.option(
        "--align-bitext",
        default=None,
        type=click.Path(path_type=Path),
        help="Extra 'source<TAB>target' bitext for eflomal.",
    ),
    click.option(
        "--tag-unaligned",
        type=click.Choice(["fallback", "neighbour"]),
        default="fallback",
        show_default=True,
        help="Tag for target words no source word aligns to.",
    ),
]


def _with(options):  # noqa: ANN001, ANN202 - click decorator stack
    def deco(f):  # noqa: ANN001, ANN202
        for opt in reversed(options):
            f = opt(f)
        return f

    return deco
