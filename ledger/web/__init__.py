"""``ledger serve``: the web channel. Units upload their workbook through their own link and see the
verdict in seconds; the office watches the period's board. Built on the library: collect,
status, report and links do the work, the pages only show it.

``create_app`` is imported on first use, so the modules of this package that the library uses
(``receive``) never load the web framework.
"""

from __future__ import annotations

from typing import Any


def create_app(*args: Any, **kwargs: Any):
    """The application of a workspace: see ``ledger.web.app.create_app``."""
    from ledger.web.app import create_app as make

    return make(*args, **kwargs)


__all__ = ["create_app"]
