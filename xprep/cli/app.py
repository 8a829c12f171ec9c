"""The click group and the shared helpers of the ``xprep`` commands.

User errors (:class:`xprep.errors.XprepError`, a bad option value, a full disk or read-only folder) print
one line on stderr (``xprep: error: ...``) and exit with code 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from xprep import __version__
from xprep.errors import XprepError
from xprep.owned import USER_ERRNOS
from xprep.projection.articles import ARTICLE_MODES
from xprep.projection.refine import REFINE_MODES
from xprep.report import format_table as _table
from xprep.settings import ALIGNER_NAMES, TRANSLATE

__all__ = ["ALIGNER_OPTIONS", "OneLineError", "_table", "_with", "main", "one_line"]


class OneLineError(click.ClickException):
    """What every user error becomes on the command line: ``xprep: error: ...`` on one line, exit code 2."""

    exit_code = 2

    def show(self, file: object = None) -> None:
        click.echo(f"xprep: error: {' '.join(self.message.split())}", err=True)


def one_line(exc: BaseException) -> OneLineError | None:
    """The one-line form of a user error (typed, a usage mistake, or the environment's), else ``None``."""
    if isinstance(exc, OneLineError):
        return exc
    if isinstance(exc, XprepError):
        return OneLineError(exc.one_line())
    if isinstance(exc, click.UsageError):
        cmd = exc.ctx.command_path if exc.ctx else "xprep"
        return OneLineError(f"{exc.format_message()} (see '{cmd} --help')")
    if isinstance(exc, click.ClickException):
        return OneLineError(exc.format_message())
    if isinstance(exc, OSError) and exc.errno in USER_ERRNOS:  # a full disk, a read-only folder
        return OneLineError(f"{exc.filename or ''}: {exc.strerror}" if exc.filename else str(exc.strerror))
    if isinstance(exc, UnicodeDecodeError):  # a reader that does not name its file yet
        return OneLineError(f"input is not valid UTF-8 (byte {exc.start}: {exc.reason})")
    return None


class _Group(click.Group):
    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.ClickException as exc:
            raise one_line(exc) from None  # type: ignore[misc]

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.ClickException, XprepError, OSError, UnicodeDecodeError) as exc:
            converted = one_line(exc)
            if converted is None:
                raise  # anything else is a bug and keeps its traceback
            raise converted from None


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
        type=click.Choice(ALIGNER_NAMES),
        default=TRANSLATE.aligner,
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
    click.option(
        "--tag-refine",
        type=click.Choice(list(REFINE_MODES)),
        default="auto",
        show_default=True,
        help="Tags projected together are refined: types (script rules and a type dictionary read off the "
        "projections), probe (also a linear probe on the encoder's word vectors), none; auto: probe with the "
        "encoder aligner, else types (never for BIO tags).",
    ),
    click.option(
        "--tag-articles",
        type=click.Choice(list(ARTICLE_MODES)),
        default="auto",
        show_default=True,
        help="Whether English 'the' projects its tag (DET in UPOS); auto: not onto a language without a definite "
        "article (Hindi, Russian, Chinese, ...), where its links land on postpositions and nouns.",
    ),
]


def _with(options):  # noqa: ANN001, ANN202 - click decorator stack
    def deco(f):  # noqa: ANN001, ANN202
        for opt in reversed(options):
            f = opt(f)
        return f

    return deco
