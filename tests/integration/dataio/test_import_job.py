"""The web upload of an ERP file runs as an RQ job on real Redis, taken by the in-process worker: the
page follows its progress (rows done / total) and shows the row-by-row report when it is done."""

from __future__ import annotations

import csv
import io
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from core.db import new_session
from core.types import utcnow
from orders.models import Order
from tests.conftest import REDIS_URL, make_app
from tests.unit.web.conftest import login
from worker import InProcessWorker

TODAY = utcnow().astimezone(ZoneInfo("Asia/Shanghai")).date()
ROWS = 4500  # more than two of the importer's batches, so progress is written on the way


@pytest.fixture
def live(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'ops.db'}", redis_url=REDIS_URL, run_jobs_inline=False)
    rt = app.extensions["ops"]
    rt.queue.empty()
    worker = InProcessWorker(app, poll=0.05)
    worker.start()
    yield app
    worker.stop()
    worker.join(10)
    rt.engine.dispose()


def _csv(n: int) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["ERP单号", "客户", "产品编码", "数量", "下单日期", "交期", "状态"])
    for i in range(n):
        old = i % 10 == 0  # one row in ten is older than the window
        ordered = TODAY - timedelta(days=400 if old else 3)
        w.writerow([f"ERP-J{i:05d}", "测试机械", "SH-100", 10, ordered, TODAY + timedelta(days=20), "生产中"])
    return out.getvalue().encode("utf-8-sig")


def _seed_logins(app):
    from accounts.service import create_user
    from tests.factories import basic_factory
    from tests.unit.web.conftest import PASSWORD

    rt = app.extensions["ops"]
    with rt.uow() as uow:
        basic_factory(uow)
        uow.commit()
    with new_session(rt.engine) as s:
        create_user(s, "u_planner", "planner", PASSWORD)


def test_an_uploaded_file_is_imported_by_a_job_whose_progress_the_page_follows(live):
    _seed_logins(live)
    client = live.test_client()
    token = login(client, "planner")
    r = client.post("/admin/io/import", data={"csrf_token": token, "file": (io.BytesIO(_csv(ROWS)), "erp.csv"),
                                              "window_days": "90"}, content_type="multipart/form-data")
    assert r.status_code == 303
    page_url = r.headers["Location"]
    first = client.get(page_url).get_data(as_text=True)
    assert 'id="import-bar"' in first and "import_progress.js" in first

    seen, deadline = [], time.monotonic() + 120
    while time.monotonic() < deadline:
        r = client.get(page_url + ".json")
        if r.status_code == 503:  # SQLite: the job's write batch holds the lock the login check waits for
            time.sleep(0.2)
            continue
        state = r.json
        seen.append((state["state"], state["done"], state["total"]))
        if state["state"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert state["state"] == "done", seen
    assert (state["done"], state["total"]) == (ROWS, ROWS)
    dones = [d for _s, d, _t in seen]
    assert dones == sorted(dones)  # progress only moves forward
    skipped = ROWS // 10
    assert f"导入完成：成功 {ROWS - skipped} 行" in state["summary"]
    assert len(state["lines"]) >= ROWS and any("跳过 下单日期" in line for line in state["lines"])
    with new_session(live.extensions["ops"].engine) as s:
        assert s.exec(select(func.count()).select_from(Order)).one() == ROWS - skipped

    html = client.get(page_url).get_data(as_text=True)  # the finished page shows the row report
    assert "导入结果" in html and f"已处理 {ROWS} / {ROWS} 行" in html and "ERP-J00001" in html


def test_an_unknown_or_expired_import_is_a_404_with_a_chinese_reason(live):
    _seed_logins(live)
    client = live.test_client()
    login(client, "planner")
    r = client.get("/admin/io/import/nope.json")
    assert r.status_code == 404 and "重新上传" in r.json["error"]


def _events(response) -> list[dict]:
    """The `data:` events of a Server-Sent Events response, read as the server sends them."""
    import json

    out, buffer = [], ""
    for chunk in response.response:
        buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
        while "\n\n" in buffer:
            event, buffer = buffer.split("\n\n", 1)
            if event.startswith("data: "):
                out.append(json.loads(event[len("data: "):]))
    return out


def test_the_jobs_progress_is_pushed_to_the_page_as_server_sent_events(live):
    _seed_logins(live)
    client = live.test_client()
    token = login(client, "planner")
    r = client.post("/admin/io/import", data={"csrf_token": token, "file": (io.BytesIO(_csv(ROWS)), "erp.csv"),
                                              "window_days": "90"}, content_type="multipart/form-data")
    page_url = r.headers["Location"]
    html = client.get(page_url).get_data(as_text=True)
    assert f'data-events="{page_url}/events"' in html
    stream = client.get(page_url + "/events", buffered=False)
    assert stream.status_code == 200 and stream.mimetype == "text/event-stream"
    events = _events(stream)  # the stream ends by itself once the job is done
    assert events[-1] == {"state": "done", "done": ROWS, "total": ROWS}, events
    dones = [e["done"] for e in events]
    assert dones == sorted(dones)
    assert any(e["state"] == "running" and 0 < e["done"] < ROWS for e in events), events  # pushed on the way
    assert client.get("/admin/io/import/nope/events").status_code == 404


def test_a_dry_run_is_imported_as_checked_without_a_second_upload(live):
    _seed_logins(live)
    client = live.test_client()
    token = login(client, "planner")
    r = client.post("/admin/io/import", data={"csrf_token": token, "file": (io.BytesIO(_csv(30)), "erp.csv"),
                                              "window_days": "90", "dry_run": "1"}, content_type="multipart/form-data")
    dry_url = r.headers["Location"]
    assert _events(client.get(dry_url + "/events", buffered=False))[-1]["state"] == "done"
    html = client.get(dry_url).get_data(as_text=True)
    assert "试运行结果（未写入）" in html and 'id="import-commit"' in html
    with new_session(live.extensions["ops"].engine) as s:
        assert s.exec(select(func.count()).select_from(Order)).one() == 0
    r = client.post(dry_url + "/commit", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["Location"] != dry_url
    assert _events(client.get(r.headers["Location"] + "/events", buffered=False))[-1]["state"] == "done"
    with new_session(live.extensions["ops"].engine) as s:
        assert s.exec(select(func.count()).select_from(Order)).one() == 30 - 3  # rows 0, 10, 20 are too old
    again = client.post(dry_url + "/commit", data={"csrf_token": token}, follow_redirects=True)
    assert "重新上传" in again.get_data(as_text=True)  # a checked file is imported once


def test_progress_streams_are_bounded_and_a_closed_one_frees_its_place(live):
    """Each open progress stream holds a server thread: past PUSH_MAX_STREAMS the page is told 503 (it then
    polls, see import_progress.js), and a stream closed, even unread, gives its place back."""
    from web.admin_data import PUSH_MAX_STREAMS

    _seed_logins(live)
    client = live.test_client()
    token = login(client, "planner")
    r = client.post("/admin/io/import", data={"csrf_token": token, "file": (io.BytesIO(_csv(30)), "erp.csv"),
                                              "window_days": "90", "dry_run": "1"}, content_type="multipart/form-data")
    url = r.headers["Location"] + "/events"
    held = [client.get(url, buffered=False) for _ in range(PUSH_MAX_STREAMS)]
    assert [s.status_code for s in held] == [200] * PUSH_MAX_STREAMS
    refused = client.get(url, buffered=False)
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "5"
    held.pop().close()
    again = client.get(url, buffered=False)
    assert again.status_code == 200
    for s in [*held, again]:
        s.close()
    assert client.get(url, buffered=False).status_code == 200
