"""The staff pages: sign in and out, the queue, a conversation, reviews, revealing a number,
exports and the audit log. Server-rendered HTML; every form carries a CSRF token."""

from __future__ import annotations

import logging
import math
import re
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from redis import RedisError
from werkzeug.exceptions import HTTPException

from hotline.redact import mask_phone
from hotline.staff import audit as actions
from hotline.staff import exports, present
from hotline.staff.access import (
    admin_required,
    check_csrf,
    client_ip,
    current_user,
    login_csrf,
    login_required,
    safe_next,
    staff,
)
from hotline.staff.auth import csrf_matches
from hotline.staff.filters import (
    CHANNELS,
    LANGUAGES,
    NO_DISPOSITION,
    STATUSES,
    FilterError,
    Filters,
)
from hotline.store.clock import now_iso
from hotline.store.followups import FollowupStore
from hotline.store.staff import needs_review, review_is_current
from hotline.triage.decision import DISPOSITIONS, FLAG_LEVELS

log = logging.getLogger("hotline.staff")

bp = Blueprint(
    "staff",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

PER_PAGE = 50
AUDIT_PER_PAGE = 100
MAX_NOTE = 2000
_CONV_ID = re.compile(r"^c[0-9a-f]{12,40}$")
_STREAM_ID = re.compile(r"^\d{1,20}-\d{1,20}$")
EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


@bp.app_template_filter("staff_time")
def _staff_time(value: str | None) -> str:
    return present.local_time(value, staff().settings.timezone)


@bp.app_template_filter("staff_masked")
def _staff_masked(value: str | None) -> str:
    return mask_phone(value or "")


@bp.context_processor
def _page_context() -> dict:
    return {
        "user": current_user(),
        "dispositions": DISPOSITIONS,
        "flags": tuple(FLAG_LEVELS),
        "flag_levels": FLAG_LEVELS,
        "timezone": staff().settings.timezone.key,
    }


# --- signing in and out ---------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if current_user() is not None:
            return redirect(safe_next(request.args.get("next")) or url_for(".queue"))
        return _login_page(ended=request.args.get("ended", ""))
    if not _login_csrf_ok():
        abort(400, description="csrf")
    area = staff()
    email = request.form.get("email", "")
    result = area.auth.log_in(email, request.form.get("password", ""), client=client_ip())
    if not result.ok:
        _audit_refused_login(area, result)
        status = {"wrong": 401, "disabled": 403}.get(result.refused, 429)
        return _login_page(result=result, email=email[:254]), status
    session.clear()  # a fresh session id at sign-in: nothing from before carries over
    user = area.auth.start_session(result.user)
    session["sid"] = user.session_id
    area.audit.record(user.email, actions.LOGIN, detail=user.role, ip=client_ip())
    return redirect(safe_next(request.form.get("next")) or url_for(".queue"))


def _audit_refused_login(area, result) -> None:
    """A wrong password for a real account is an entry (the throttle bounds how many); so is
    the start of a lock-out. Refusals that checked nothing and unknown accounts are counted
    per day instead: nobody reads them one by one, and a flood must not fill Redis."""
    day = now_iso(area.now())[:10]
    if result.account is None:
        area.records.count_refused_login(day, "unknown_account")
    elif not result.checked:
        area.records.count_refused_login(day, "throttled")
    else:
        action = {
            "locked": actions.LOCKED_OUT,
            "disabled": actions.LOGIN_DISABLED,
        }.get(result.refused, actions.LOGIN_FAILED)
        area.audit.record(result.account.email, action, detail=result.refused, ip=client_ip())


def _login_csrf_ok() -> bool:
    return csrf_matches(session.get("login_csrf"), request.form.get("csrf_token"))


def _login_page(result=None, email: str = "", ended: str = "") -> str:
    locked_until = ""
    if result is not None and result.locked_until:
        locked_until = present.local_time(now_iso(result.locked_until), staff().settings.timezone)
    return render_template(
        "staff/login.html",
        csrf_token=login_csrf(),
        result=result,
        email=email,
        ended=ended if ended in ("idle", "expired", "signed_out") else "",
        locked_until=locked_until,
        next=safe_next(request.values.get("next")) or "",
    )


@bp.post("/logout")
def logout():
    user = current_user()
    if user is None:
        return redirect(url_for(".login"))
    check_csrf(user.csrf)
    staff().auth.end_session(user.session_id)
    staff().audit.record(user.email, actions.LOGOUT, ip=client_ip())
    session.clear()
    return redirect(url_for(".login", ended="signed_out"))


# --- the queue --------------------------------------------------------------------------------


@bp.get("/")
@login_required
def queue():
    area = staff()
    status, error = 200, ""
    try:
        filters = Filters.from_args(request.args)
    except FilterError as exc:
        filters, status, error = Filters(), 400, str(exc)
    matches = area.records.scan_queue(filters, area.now())
    pages = max(1, math.ceil(matches.total / PER_PAGE))
    page = min(_page_number(), pages)
    area.audit.record(
        current_user().email,
        actions.QUEUE_VIEW,
        detail=f"page {page} of {matches.total} conversations; {filters.describe()}",
        ip=client_ip(),
    )
    rows = []
    for record in area.records.summaries(matches.page(page, PER_PAGE)):
        rows.append(
            {
                "record": record,
                "needs_review": needs_review(record),
                "reviewed": review_is_current(record),
                "followup": present.followup_state(record),
            }
        )
    return render_template(
        "staff/queue.html",
        rows=rows,
        filters=filters,
        query=filters.query(),
        error=error,
        page=page,
        pages=pages,
        total=matches.total,
        attention=matches.attention,
        channels=CHANNELS,
        statuses=STATUSES,
        languages=LANGUAGES,
        no_disposition=NO_DISPOSITION,
    ), status


def _page_number() -> int:
    try:
        return max(1, min(int(request.args.get("page", "1")), 1_000_000))
    except ValueError:
        return 1


# --- one conversation ---------------------------------------------------------------------------


@bp.get("/conversations/<conv_id>")
@login_required
def conversation(conv_id: str):
    return _conversation_page(conv_id, reveal=False)


@bp.post("/conversations/<conv_id>/reveal")
@admin_required
def reveal(conv_id: str):
    check_csrf(current_user().csrf)
    return _conversation_page(conv_id, reveal=True)


def _conversation_page(conv_id: str, reveal: bool):
    area, user = staff(), current_user()
    record = _record_or_404(conv_id)
    action = actions.REVEAL if reveal else actions.VIEW
    area.audit.record(user.email, action, target=conv_id, ip=client_ip())
    return render_template(
        "staff/conversation.html",
        record=record,
        revealed=reveal,
        timeline=present.timeline(record),
        answers=present.answer_rows(record, area.hotline.protocol),
        followups=[
            {**fu, "shown": present.shown_status(fu)} for fu in record.get("followups") or []
        ],
        needs_review=needs_review(record),
        review_current=review_is_current(record),
        max_note=MAX_NOTE,
    )


@bp.post("/conversations/<conv_id>/review")
@login_required
def review(conv_id: str):
    area, user = staff(), current_user()
    check_csrf(user.csrf)
    record = _record_or_404(conv_id)
    note = (request.form.get("note") or "").strip()[:MAX_NOTE]
    written = area.records.write_review(
        conv_id, user.email, note, record.get("disposition"), at=now_iso(area.now())
    )
    if written is None:
        abort(404)
    area.audit.record(
        user.email,
        actions.REVIEW,
        target=conv_id,
        detail=f"disposition={record.get('disposition') or 'none'}",
        ip=client_ip(),
    )
    flash("Marked as reviewed.")
    return redirect(url_for(".conversation", conv_id=conv_id))


@bp.post("/conversations/<conv_id>/followups/<followup_id>/resend")
@login_required
def resend_followup(conv_id: str, followup_id: str):
    """Send an unconfirmed follow-up again: only on a staff member's explicit request (a
    blind resend could text someone twice), and audited."""
    area, user = staff(), current_user()
    check_csrf(user.csrf)
    record = _record_or_404(conv_id)
    if not any(fu.get("id") == followup_id for fu in record.get("followups") or []):
        abort(404)
    outcome = FollowupStore(area.hotline.redis, area.settings).resend(
        followup_id, user.email, area.now()
    )
    if outcome != "ok":
        flash("That follow-up is no longer unconfirmed; nothing was sent again.")
        return redirect(url_for(".conversation", conv_id=conv_id))
    area.audit.record(
        user.email, actions.FOLLOWUP_RESEND, target=conv_id, detail=followup_id, ip=client_ip()
    )
    # Due now in the due index: the dispatcher sends it on its next look.
    flash("The follow-up will be sent again in a moment.")
    return redirect(url_for(".conversation", conv_id=conv_id))


def _record_or_404(conv_id: str) -> dict:
    record = staff().store.get_record(conv_id) if _CONV_ID.match(conv_id) else None
    if record is None:
        abort(404)
    return record


# --- exports ----------------------------------------------------------------------------------


@bp.get("/export.<fmt>")
@login_required
def export(fmt: str):
    if fmt not in EXPORT_TYPES:
        abort(404)
    area, user = staff(), current_user()
    try:
        filters = Filters.from_args(request.args)
    except FilterError as exc:
        abort(400, description=str(exc))
    ids = area.records.scan_queue(filters, area.now()).ordered()
    numbers = "full numbers" if user.is_admin else "masked numbers"
    area.audit.record(
        user.email,
        actions.EXPORT,
        detail=(f"{fmt}, {len(ids)} conversations, {numbers}; {filters.describe()}"),
        ip=client_ip(),
    )
    records = (exports.shown_to(r, user.is_admin) for r in area.records.records(ids))
    lines = (
        exports.conversations_csv(records) if fmt == "csv" else exports.conversations_jsonl(records)
    )
    return _download(lines, f"conversations-{_stamp()}.{fmt}", EXPORT_TYPES[fmt])


def _download(lines, filename: str, mimetype: str) -> Response:
    response = Response(stream_with_context(lines), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _stamp() -> str:
    return datetime.fromtimestamp(staff().now(), UTC).strftime("%Y%m%d-%H%M%S")


# --- the audit log (admins) -------------------------------------------------------------------


@bp.get("/audit")
@admin_required
def audit_log():
    before = request.args.get("before") or None
    if before and not _STREAM_ID.match(before):
        abort(400, description="before: not an audit entry id")
    area = staff()
    area.audit.record(
        current_user().email, actions.AUDIT_VIEW, detail=f"before {before or 'newest'}",
        ip=client_ip(),
    )
    entries = area.audit.page(before, AUDIT_PER_PAGE + 1)
    more = len(entries) > AUDIT_PER_PAGE
    entries = entries[:AUDIT_PER_PAGE]
    return render_template(
        "staff/audit.html",
        entries=entries,
        older=entries[-1].id if more else None,
        newest=before is None,
        refused=area.records.refused_logins() if before is None else {},
    )


@bp.get("/audit.<fmt>")
@admin_required
def audit_export(fmt: str):
    if fmt not in EXPORT_TYPES:
        abort(404)
    area, user = staff(), current_user()
    area.audit.record(user.email, actions.AUDIT_EXPORT, detail=fmt, ip=client_ip())
    entries = area.audit.entries()
    lines = exports.audit_csv(entries) if fmt == "csv" else exports.audit_jsonl(entries)
    return _download(lines, f"audit-{_stamp()}.{fmt}", EXPORT_TYPES[fmt])


# --- errors -------------------------------------------------------------------------------------


@bp.errorhandler(400)
@bp.errorhandler(403)
@bp.errorhandler(404)
@bp.errorhandler(405)
def _error(exc: HTTPException):
    return render_template(
        "staff/error.html", code=exc.code, csrf=exc.description == "csrf", detail=exc.description
    ), exc.code


@bp.errorhandler(RedisError)
def _redis_down(exc: RedisError):
    log.error("staff page %s: Redis unavailable (%s)", request.endpoint, type(exc).__name__)
    g.staff_user = None  # the page must render without asking Redis who is signed in
    return render_template("staff/error.html", code=503), 503
