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
