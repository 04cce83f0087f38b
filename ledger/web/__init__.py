"""``ledger serve``: the web channel. Units upload their workbook through their own link and see the
verdict in seconds; the office watches the period's board. Built on the library: collect,
status, report and links do the work, the pages only show it."""

from ledger.web.app import create_app

__all__ = ["create_app"]
