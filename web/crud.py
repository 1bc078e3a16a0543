"""Plain list + form pages for master data, described as data (one `Crud` per table)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.db import new_session
from core.runtime import current_runtime
from dataio.export import table_csv, table_xlsx
from orders.exceptions import OrderError
from orders.roles import ROLE_LABELS, Role
from web import texts
from web.access import page

log = logging.getLogger(__name__)
LIST_LIMIT = 500
EXPORT_LIMIT = 100_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Col:
    """One editable column: kind is str, text, int, float, bool, date, select, roles or list."""

    name: str
    label: str
    kind: str = "str"
    required: bool = False
    choices: Callable[[Session], list[tuple[str, str]]] | None = None
    in_list: bool = True
    readonly: bool = False
    null: bool = False  # an empty field is stored as NULL (unique optional columns)
    shown: Callable[[str], str] | None = None  # how the list shows the stored value (codes in Chinese)
    hint: str = ""  # a line under the form field


@dataclass(frozen=True)
class Crud:
    """A table shown as a list with a form; `save(session, values, row)` overrides plain saving."""

    key: str
    title: str
    model: type
    cols: tuple[Col, ...]
    group: str
    order_by: str = "id"
    parent: str | None = None  # a column the list may be filtered by (?customer_id=3)
    deletable: bool = False
    save: Callable | None = None
    links: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)  # (label, crud key, parent col)


class FormError(ValueError):
    """Bad form input; `errors` are the Chinese messages."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def parse_form(spec: Crud, form, session: Session) -> dict:
    """Typed values of every writable column, or FormError with every problem at once."""
    values, errors = {}, []
    for col in spec.cols:
        if col.readonly:
            continue
        try:
            values[col.name] = _parse(col, form, session)
        except ValueError as exc:
            errors.append(str(exc))
    if errors:
        raise FormError(errors)
    return values


def _parse(col: Col, form, session: Session):
    if col.kind == "bool":
        return col.name in form
    if col.kind == "roles":
        picked = [r for r in form.getlist(col.name) if r in {x.value for x in Role}]
        if col.required and not picked:
            raise ValueError(texts.REQUIRED.format(label=col.label))
        return ",".join(picked)
    raw = (form.get(col.name) or "").strip()
    if not raw:
        if col.required:
            raise ValueError(texts.REQUIRED.format(label=col.label))
        if col.kind == "list":
            return []
        return "" if col.kind in ("str", "text") and not col.null else None
    if col.kind == "int":
        return _number(int, raw, col)
    if col.kind == "float":
        return _number(float, raw, col)
    if col.kind == "date":
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError(texts.NOT_A_DATE.format(label=col.label)) from None
    if col.kind == "select":
        allowed = {str(k) for k, _ in col.choices(session)}
        if raw not in allowed:
            raise ValueError(texts.NOT_A_CHOICE.format(label=col.label))
        return int(raw) if raw.isdigit() and col.name.endswith("_id") else raw
    if col.kind == "list":
        return [p.strip() for p in raw.replace("，", ",").split(",") if p.strip()]
    return raw[:2000]


def _number(kind, raw: str, col: Col):
    try:
        return kind(raw)
    except ValueError:
        raise ValueError(texts.NOT_A_NUMBER.format(label=col.label)) from None


def form_value(col: Col, row) -> str:
    """What the form shows for a column of a row (or of a half-filled form)."""
    value = getattr(row, col.name, None) if not isinstance(row, dict) else row.get(col.name)
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def export_value(col: Col, row, labels: dict[str, dict[str, str]]):
    """A column of a row as a download cell: what the list shows (codes in Chinese), numbers and dates typed."""
    value = getattr(row, col.name, None)
    if value is None:
        return None
    if col.kind == "bool":
        return "是" if value else "否"
    if col.shown:
        return col.shown(form_value(col, row))
    if col.kind == "select":
        return labels[col.name].get(str(value), str(value))
    if col.kind == "roles":
        return "、".join(ROLE_LABELS.get(Role(r), r) if r in {x.value for x in Role} else r
                        for r in str(value).split(",") if r)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


def register_crud(bp: Blueprint, specs: Callable[[], dict[str, Crud]]) -> None:
    """Add list, new, edit and delete views to a blueprint for the specs `specs()` names."""

    def group_of(key: str, **_):
        spec = specs().get(key)
        return spec.group if spec else None

    def spec_of(key: str) -> Crud:
        found = specs().get(key)
        if found is None:
            abort(404)
        return found

    @bp.get("/data/<key>")
    @page(group_of)
    def crud_list(key: str):
        spec = spec_of(key)
        parent = request.args.get(spec.parent, type=int) if spec.parent else None
        with new_session(current_runtime().engine) as s:
            stmt = select(spec.model)
            if parent is not None:
                stmt = stmt.where(getattr(spec.model, spec.parent) == parent)
            rows = s.exec(stmt.order_by(getattr(spec.model, spec.order_by)).limit(LIST_LIMIT)).all()
            labels = {c.name: {str(k): v for k, v in c.choices(s)} for c in spec.cols if c.kind == "select"}
        return render_template("admin/crud_list.html", spec=spec, rows=rows, labels=labels, parent=parent,
                               form_value=form_value)

    @bp.get("/data/<key>/export.<fmt>")
    @page(group_of)
    def crud_export(key: str, fmt: str):
        """The list (same parent filter, every row) as xlsx or CSV, with the list's Chinese headers."""
        spec = spec_of(key)
        if fmt not in ("xlsx", "csv"):
            abort(404)
        parent = request.args.get(spec.parent, type=int) if spec.parent else None
        cols = [c for c in spec.cols if c.in_list]
        with new_session(current_runtime().engine) as s:
            stmt = select(spec.model)
            if parent is not None:
                stmt = stmt.where(getattr(spec.model, spec.parent) == parent)
            found = s.exec(stmt.order_by(getattr(spec.model, spec.order_by)).limit(EXPORT_LIMIT)).all()
            labels = {c.name: {str(k): v for k, v in c.choices(s)} for c in spec.cols if c.kind == "select"}
            rows = [[export_value(c, row, labels) for c in cols] for row in found]
        headers = [c.label for c in cols]
        if fmt == "xlsx":
            body, mimetype = table_xlsx(spec.title, headers, rows), XLSX
        else:
            body, mimetype = table_csv(headers, rows), "text/csv; charset=utf-8"
        return Response(body, mimetype=mimetype, headers={
            "Content-Disposition": f"attachment; filename={spec.key}.{fmt}", "Cache-Control": "no-store"})

    @bp.route("/data/<key>/new", methods=["GET", "POST"])
    @page(group_of)
    def crud_new(key: str):
        return _edit(spec_of(key), None)

    @bp.route("/data/<key>/<int:item_id>", methods=["GET", "POST"])
    @page(group_of)
    def crud_edit(key: str, item_id: int):
        return _edit(spec_of(key), item_id)

    @bp.post("/data/<key>/<int:item_id>/delete")
    @page(group_of)
    def crud_delete(key: str, item_id: int):
        spec = spec_of(key)
        if not spec.deletable:
            abort(403)
        with new_session(current_runtime().engine) as s:
            row = s.get(spec.model, item_id)
            if row is None:
                abort(404)
            back = _back(spec, row)
            s.delete(row)
            s.commit()
        flash(texts.DELETED, "ok")
        return redirect(back)


def _back(spec: Crud, row) -> str:
    args = {spec.parent: getattr(row, spec.parent)} if spec.parent and row is not None else {}
    return url_for(".crud_list", key=spec.key, **args)


def _edit(spec: Crud, item_id: int | None):
    """Show the form; on POST validate, save, and go back to the list (or show the errors)."""
    with new_session(current_runtime().engine) as s:
        row = s.get(spec.model, item_id) if item_id is not None else None
        if item_id is not None and row is None:
            abort(404)
        shown, errors, status = row, [], 200
        if row is None and spec.parent and request.args.get(spec.parent):
            shown = {spec.parent: request.args.get(spec.parent)}
        if request.method == "POST":
            try:
                values = parse_form(spec, request.form, s)
                saved = _save(spec, s, values, row)
                flash(texts.SAVED, "ok")
                return redirect(_back(spec, saved))
            except FormError as exc:
                errors = exc.errors
            except OrderError as exc:
                errors = [exc.message]
            except IntegrityError as exc:
                s.rollback()
                errors = [texts.DUPLICATE.format(detail=str(exc.orig).splitlines()[0][:120])]
            shown, status = request.form.to_dict(), 400
        choices = {c.name: c.choices(s) for c in spec.cols if c.kind == "select"}
        return render_template("admin/crud_form.html", spec=spec, row=row, shown=shown or {}, errors=errors,
                               choices=choices, form_value=form_value, picked=_picked(spec, shown),
                               roles=[r for r in Role if r != Role.SYSTEM]), status


def _picked(spec: Crud, shown) -> dict[str, set[str]]:
    """Chosen roles of each roles column, from a row or a re-shown form."""
    out = {}
    for col in spec.cols:
        if col.kind == "roles":
            if isinstance(shown, dict):
                out[col.name] = set(request.form.getlist(col.name)) if request.method == "POST" else set()
            else:
                out[col.name] = set((getattr(shown, col.name, "") or "").split(","))
    return out


def _save(spec: Crud, s: Session, values: dict, row):
    """Plain save (or the spec's own), committing; returns the saved row."""
    if spec.save is not None:
        return spec.save(s, values, row)
    row = row or spec.model()
    for name, value in values.items():
        setattr(row, name, value)
    s.add(row)
    s.commit()
    return row
