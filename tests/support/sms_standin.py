"""A local HTTP SMS gateway speaking Order Hub's generic SMS wire format.

POST JSON `{"mobile": "13800000000", "content": "…"}` to `base_url`; it answers
`{"code": 0, "msgid": "…"}`. A malformed mobile or empty content answers 400
`{"code": 1, "message": …}`. `fail_next(n, status=500)` makes the next n calls fail.

    with SmsStandin() as sms:
        settings = {"sms_url": sms.url}
        ...
        assert sms.messages == [{"mobile": "13800000000", "content": "…"}]
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections import deque

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.support.wecom_standin import QuietHandler

MOBILE = re.compile(r"^1\d{10}$")


class SmsStandin:
    """Records every accepted SMS; can fail or refuse on demand."""

    def __init__(self, path: str = "/sms/send"):
        self.path = path
        self.messages: list[dict] = []
        self.calls = 0
        self._faults: deque[int] = deque()
        self._lock = threading.Lock()
        self._server = None

    def __enter__(self) -> SmsStandin:
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True, request_handler=QuietHandler)
        threading.Thread(target=self._server.serve_forever, name="sms-standin", daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        """Use as SMS_URL."""
        return f"http://127.0.0.1:{self._server.server_port}{self.path}"

    def fail_next(self, n: int = 1, status: int = 500) -> None:
        """The next n calls answer HTTP `status` without sending."""
        with self._lock:
            self._faults.extend([status] * n)

    def _wsgi(self, environ, start_response):
        req = Request(environ)
        with self._lock:
            self.calls += 1
            fault = self._faults.popleft() if self._faults else None
        if req.path != self.path or req.method != "POST":
            return Response("not found", status=404)(environ, start_response)
        if fault:
            return _json({"code": fault, "message": "gateway error"}, fault)(environ, start_response)
        try:
            body = json.loads(req.get_data(as_text=True))
        except ValueError:
            body = None
        if not isinstance(body, dict) or not MOBILE.match(str(body.get("mobile", ""))) or not body.get("content"):
            return _json({"code": 1, "message": "bad mobile or empty content"}, 400)(environ, start_response)
        with self._lock:
            self.messages.append({"mobile": body["mobile"], "content": body["content"]})
        return _json({"code": 0, "msgid": uuid.uuid4().hex[:12]}, 200)(environ, start_response)


def _json(data: dict, status: int) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status, content_type="application/json")
