"""The office's review pages: the period's accepted ledgers and their review, one ledger beside the
unit's last month with what changed highlighted, approve with one click, send back with a comment;
locking the month; signing finished items off; a unit's 退回意见 workbook and its evidence. Each
decision is recorded in the work log by the library with the user's name (one entry, not a second
web one); refusals and downloads are logged here."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.background import BackgroundTask
from starlette.responses import RedirectResponse, Response

from ledger import review
from ledger.period import label
from ledger.web.office_pages import OfficePages
from ledger.web.pages import download, text
from ledger.web.unit_pages import UnitPages


class ReviewPages(OfficePages):
    """``/office/review``: every page passes ``office_gate`` first; deciding needs an office user."""

    async def review_list(self, request: Request, message: str = "", error: bool = False) -> Response:
        blocked, period = await self.office_period(request)
        if blocked:
            return blocked
        found = await run_in_threadpool(review.review_list, self.web.ws.engine, period)
        local = self.web.local
        rows = [{"id": r.submission_id, "unit": r.unit, "state": r.state, "label": r.label,
                 "submitted": local(r.submitted_at), "by": r.reviewed_by, "at": local(r.reviewed_at) if r.reviewed_at else "",
                 "comment": r.comment} for r in found]
        counts = Counter(r.state for r in found)
        return self.render(request, "review_list.html", period=period, period_label=label(period), reviews=rows,
                           counts={s: counts.get(s, 0) for s in review.STATES}, message=message, error=error,
                           required=self.web.settings.review.required, can_act=self.user(request).can_act)

    async def submission(self, request: Request, message: str = "", error: bool = False, status: int = 200) -> Response:
        blocked = await self.office_gate(request)
        if blocked:
            return blocked
        engine = self.web.ws.engine
        found = await run_in_threadpool(review.submission_review, engine, request.path_params["submission_id"])
        if found is None:
            return self.message(request, "没有这份台账", "没有这份报送记录。", 404, back="/office/review")
        rows = await run_in_threadpool(review.compare_rows, engine, found.submission_id, self.web.settings)
        local = self.web.local
        return self.render(request, "review.html", status, r=found, period=found.period, period_label=label(found.period),
                           submitted=local(found.submitted_at), reviewed=local(found.reviewed_at) if found.reviewed_at else "",
                           current=found.current, rows=rows, columns=review.COMPARED,
                           numbers=list(dict.fromkeys(row.number for row in rows)), message=message, error=error,
                           can_act=self.user(request).can_act and self.web.settings.review.required)

    async def approve(self, request: Request) -> Response:
        return await self._decide(request, "approve")

    async def send_back(self, request: Request) -> Response:
        return await self._decide(request, "send-back")

    async def _decide(self, request: Request, what: str) -> Response:
        blocked = await self.office_gate(request)
        if blocked:
            return blocked
        form = await request.form(max_files=0, max_fields=8)
        engine, who = self.web.ws.engine, self.who(request)
        named = request.path_params["submission_id"]
        try:
            review.require_review(self.web.settings)
            found = await run_in_threadpool(review.submission_review, engine, named)
            if found is None:
                return self.message(request, "没有这份台账", "没有这份报送记录。", 404, back="/office/review")
            if what == "approve":
                done = await run_in_threadpool(review.approve, engine, found.period, found.unit, who, "", named)
            else:
                done = await run_in_threadpool(review.send_back, engine, found.period, found.unit,
                                               text(form.get("comment")), who, text(form.get("item")) or None, named)
        except review.ReviewError as exc:
            return await self.submission(request, str(exc), error=True, status=400)
        return RedirectResponse(f"/office/review?period={done.period}", status_code=303)

    async def approve_all(self, request: Request) -> Response:
        blocked, period = await self.office_period(request)
        if blocked:
            return blocked
        who = self.who(request)
        try:
            review.require_review(self.web.settings)
        except review.ReviewError as exc:
            return await self.review_list(request, str(exc), error=True)
        await run_in_threadpool(review.approve_all, self.web.ws.engine, period, who)
        return RedirectResponse(f"/office/review?period={period}", status_code=303)

    async def lock(self, request: Request) -> Response:
        return await self._lock(request, False)

    async def unlock(self, request: Request) -> Response:
        return await self._lock(request, True)

    async def _lock(self, request: Request, unlock: bool) -> Response:
        """Lock the board's month (终版), or unlock it with a reason."""
        from ledger.period_lock import PeriodLockError, lock_period, unlock_period

        blocked, period = await self.office_period(request)
        if blocked:
            return blocked
        who = self.who(request)
        reason = text((await request.form(max_files=0, max_fields=8)).get("reason"))
        try:
            if unlock:
                await run_in_threadpool(unlock_period, self.web.ws.engine, period, reason, who)
            else:
                await run_in_threadpool(lock_period, self.web.ws.engine, period, who)
        except PeriodLockError as exc:
            return self.message(request, "未能解锁" if unlock else "未能锁定", str(exc), 400, back=f"/office?period={period}")
        return RedirectResponse(f"/office?period={period}", status_code=303)

    async def signoffs(self, request: Request, message: str = "", error: bool = False, status: int = 200) -> Response:
        from ledger.signoff import signoff_list

        blocked = await self.office_gate(request)
        if blocked:
            return blocked
        items = await run_in_threadpool(signoff_list, self.web.ws.engine, self.web.settings.vocabulary)
        return self.render(request, "signoff.html", status, items=items, zone=self.web.zone, message=message,
                           error=error, can_act=self.user(request).can_act,
                           period=await run_in_threadpool(self._period, request))

    async def signoff_approve(self, request: Request) -> Response:
        return await self._sign(request, True)

    async def signoff_reject(self, request: Request) -> Response:
        return await self._sign(request, False)

    async def _sign(self, request: Request, approve: bool) -> Response:
        from ledger import signoff

        blocked = await self.office_gate(request)
        if blocked:
            return blocked
        form = await request.form(max_files=0, max_fields=8)
        who, number = self.who(request), text(form.get("item"))
        vocabulary = self.web.settings.vocabulary
        try:
            if approve:
                await run_in_threadpool(signoff.approve, self.web.ws.engine, vocabulary, number, who)
            else:
                await run_in_threadpool(signoff.reject, self.web.ws.engine, vocabulary, number,
                                               text(form.get("comment")), who)
        except signoff.SignoffError as exc:
            return await self.signoffs(request, str(exc), error=True, status=400)
        return RedirectResponse("/office/signoff", status_code=303)

    async def evidence_file(self, request: Request) -> Response:
        from ledger.signoff import evidence_file
        from ledger.web.pages import inside

        blocked = await self.office_gate(request)
        if blocked:
            return blocked
        row = await run_in_threadpool(evidence_file, self.web.ws.engine, request.path_params["evidence_id"])
        path = row and self.web.ws.root / row["stored_path"]
        if not path or not inside(path, self.web.ws.archive_dir) or not path.is_file():
            return self.message(request, "佐证材料不可下载", "没有这份佐证材料，或文件已不在服务器上。", 404, back="/office/signoff")
        self.web.log(request, self.who(request), f"{self.who(request)}查看佐证材料{row['file_name']}", "web-download")
        return download(path, row["file_name"])


class UnitReviewPages(UnitPages):
    """What a unit's link shows of a review: the 退回意见 workbook of its sent-back ledger."""

    async def sendback_workbook(self, request: Request) -> Response:
        from ledger.collect.sendback import sendback_workbook

        holder = await self.holder(request)
        if holder is None:
            return self.invalid_link(request)
        found = await run_in_threadpool(review.submission_review, self.web.ws.engine, request.path_params["submission_id"])
        if found is None or found.unit_id != holder.unit_id or found.state != review.SENT_BACK:
            return self.message(request, "退回意见不可下载", "本单位没有这份退回意见。", 404,
                                back=f"/u/{request.path_params['token']}")
        folder = Path(tempfile.mkdtemp(prefix="ledger-sendback-"))
        name = f"{found.unit}_{found.period}_审核退回意见.xlsx"
        try:
            path = await run_in_threadpool(sendback_workbook, self.web.ws, found.submission_id, folder / name)
        except (OSError, LookupError):
            _remove(folder)
            return self.message(request, "退回意见不可下载", "报来的台账文件已不在服务器上。", 404,
                                "请按页面上的意见修改后重新上传；如有疑问，请联系督查室。", f"/u/{request.path_params['token']}")
        self.web.log(request, holder.unit, f"{holder.unit}下载审核退回意见", "web-download", submission=found.submission_id)
        response = download(path, name)
        response.background = BackgroundTask(_remove, folder)
        return response


    async def evidence(self, request: Request) -> Response:
        """A unit attaches evidence to one of its finished lead items."""
        from ledger.collect.evidence import add_evidence
        from ledger.signoff import SignoffError
        from ledger.web.security import CSRF_COOKIE, form_ok

        web = self.web
        holder = await self.holder(request)
        if holder is None:
            return self.invalid_link(request)
        base = f"/u/{request.path_params['token']}"
        form = await request.form(max_files=1, max_fields=4)
        try:
            if not form_ok(web.key, request.cookies.get(CSRF_COOKIE), text(form.get("form_key"))):
                web.log(request, holder.unit, f"{holder.unit}上传佐证材料未带有效的表单凭据，已拒绝", "web-denied")
                return self.forged(request, base)
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                return await self.unit(request, "请先选择要上传的佐证材料。", 400)
            if not web.uploads.allow(f"evidence:{holder.unit_id}"):
                return self.message(request, "上传过于频繁", "本单位一小时内上传次数已达上限。", 429, "请稍后再上传。", base)
            folder = Path(tempfile.mkdtemp(prefix="ledger-evidence-"))
            try:
                staged = folder / "upload"
                limit = int(web.settings.review.max_evidence_mb * 1048576)
                too_big = await run_in_threadpool(_stage, upload.file, staged, limit)
                if too_big:
                    return await self.unit(request, f"佐证材料过大：每个不超过 {web.settings.review.max_evidence_mb:g} MB。", 400)
                await run_in_threadpool(add_evidence, web.ws, holder.unit, text(form.get("item")), staged,
                                                upload.filename, holder.unit)
            except SignoffError as exc:
                web.log(request, holder.unit, f"{holder.unit}的佐证材料未被接收：{exc}", "web-evidence")
                return await self.unit(request, str(exc), 400)
            finally:
                _remove(folder)
        finally:
            await form.close()
        return RedirectResponse(base, status_code=303)


def _stage(source, target: Path, limit: int) -> bool:
    """Copy an upload to ``target``; True (and nothing kept) when it is larger than ``limit``."""
    size = 0
    with target.open("wb") as out:
        while chunk := source.read(1 << 20):
            size += len(chunk)
            if size > limit:
                return True
            out.write(chunk)
    return False


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
