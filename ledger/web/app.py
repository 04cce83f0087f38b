"""The ASGI application of ``ledger serve``: a unit's pages behind its link, the office's behind a
password. Pages are rendered on the server and work without JavaScript (the board reloads itself
when a file arrives if scripts run, every 30 s otherwise)."""

from __future__ import annotations

from contextlib import asynccontextmanager

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.routing import Route

from ledger.links import secret
from ledger.web.access import AccessLog, AccessMiddleware
from ledger.web.limits import BodyLimit, too_large_page
from ledger.web.office_pages import LOGIN_ATTEMPTS, OfficePages
from ledger.web.pages import Pages, Web
from ledger.web.receive import Collector, sweep_staging
from ledger.web.review_pages import ReviewPages, UnitReviewPages
from ledger.web.security import RateLimiter
from ledger.web.unit_pages import UnitPages
from ledger.workspace import Workspace

FORM_OVERHEAD = 64 * 1024       # a form's own fields around the file


def create_app(ws: Workspace, collect: bool = True, collect_every: float = 30.0, access_log: bool = True) -> Starlette:
    """The web application of a workspace. ``collect`` runs the server's collector (tests of pages
    alone may turn it off); the access log writes every access to the work log."""
    settings = ws.settings
    web = Web(ws=ws, key=secret(ws),
              env=Environment(loader=PackageLoader("ledger.web", "templates"), autoescape=select_autoescape(["html"])),
              collector=Collector(ws, collect_every) if collect else None,
              access=AccessLog(ws) if access_log else None,
              uploads=RateLimiter(settings.serve.uploads_per_hour, 3600),
              logins=RateLimiter(*LOGIN_ATTEMPTS))
    pages, unit, office, reviews = Pages(web), UnitPages(web), OfficePages(web), ReviewPages(web)
    unit_reviews = UnitReviewPages(web)

    @asynccontextmanager
    async def lifespan(app):
        sweep_staging(ws)
        if web.access:
            web.access.start()
        if web.collector:
            web.collector.start().kick()      # what arrived while the server was down
        try:
            yield
        finally:
            if web.collector:
                web.collector.stop()
            if web.access:
                web.access.stop()

    routes = [
        Route("/", pages.index),
        Route("/healthz", pages.health),
        Route("/static/board.js", pages.board_js),
        Route("/u/{token}", unit.unit),
        Route("/u/{token}/upload", unit.upload, methods=["POST"]),
        Route("/u/{token}/uploads/{upload_id:int}", unit.result),
        Route("/u/{token}/templates/{template_id}", unit.template),
        Route("/u/{token}/feedback/{intake_id:int}", unit.feedback),
        Route("/u/{token}/sent-back/{submission_id:int}", unit_reviews.sendback_workbook),
        Route("/u/{token}/evidence", unit_reviews.evidence, methods=["POST"]),
        Route("/u/{token}/escalations/{notice_id:int}", unit.notice_file),
        Route("/u/{token}/escalations/{notice_id:int}/reply", unit.reply, methods=["POST"]),
        Route("/office", office.board),
        Route("/office/login", office.login_form),
        Route("/office/login", office.login, methods=["POST"]),
        Route("/office/logout", office.logout, methods=["POST"]),
        Route("/office/version", office.version),
        Route("/office/reminders", office.reminders),
        Route("/office/report/{kind}", office.report_file),
        Route("/office/report", office.make_report, methods=["POST"]),
        Route("/office/remind", office.remind_preview),
        Route("/office/remind", office.remind_send, methods=["POST"]),
        Route("/office/year", office.year),
        Route("/office/units", office.units),
        Route("/office/units", office.set_contact, methods=["POST"]),
        Route("/office/escalate", office.escalate, methods=["POST"]),
        Route("/office/log", office.work_log),
        Route("/office/links", office.links),
        Route("/office/links/reissue", office.reissue, methods=["POST"]),
        Route("/office/links/revoke", office.revoke_confirm),
        Route("/office/links/revoke", office.revoke, methods=["POST"]),
        Route("/office/lock", reviews.lock, methods=["POST"]),
        Route("/office/unlock", reviews.unlock, methods=["POST"]),
        Route("/office/signoff", reviews.signoffs),
        Route("/office/signoff/approve", reviews.signoff_approve, methods=["POST"]),
        Route("/office/signoff/reject", reviews.signoff_reject, methods=["POST"]),
        Route("/office/evidence/{evidence_id:int}", reviews.evidence_file),
        Route("/office/review", reviews.review_list),
        Route("/office/review/approve-all", reviews.approve_all, methods=["POST"]),
        Route("/office/review/{submission_id:int}", reviews.submission),
        Route("/office/review/{submission_id:int}/approve", reviews.approve, methods=["POST"]),
        Route("/office/review/{submission_id:int}/send-back", reviews.send_back, methods=["POST"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={400: pages.unreadable, 404: pages.not_found, 405: pages.not_allowed,
                                        Exception: pages.fault})
    app.state.web = web
    evidence_bytes = int(settings.review.max_evidence_mb * 1024 * 1024)     # each upload is bounded again by its kind
    app.add_middleware(BodyLimit, max_bytes=max(web.max_bytes, evidence_bytes) + FORM_OVERHEAD,
                       page=lambda: too_large_page(settings.collect.max_file_mb))
    app.add_middleware(AccessMiddleware, log=web.access, who=office.visitor)
    return app
