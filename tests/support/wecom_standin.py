"""A local WeCom API that enforces WeCom's rules and records what it accepted.

A real HTTP server (werkzeug, 127.0.0.1, a free port, one thread per request) speaking
the wire format of gettoken, message/send, media/upload, webhook/send,
webhook/upload_media and aibot/response:

    with WeComStandin(corp_id="ww_test", secret="s3cret") as wecom:
        settings = {"wecom_api_base": wecom.base_url, ...}

Rules it enforces (errcode answers with HTTP 200, as WeCom does):
- gettoken: corpid 40013, corpsecret 40001; every other call checks access_token
  (missing/unknown 40014, expired 42001; `expire_tokens()` expires all issued ones).
- app message: agentid 40056, text/markdown <= 2048 bytes, textcard title <= 128 and
  description <= 512 bytes (40058), image media_id from media/upload (40007), no valid
  user 81013 (`invaliduser` lists the unknown ones); 30 a minute / 1,000 an hour per
  user: excess answers ok but is NOT recorded (`dropped`), like WeCom;
  `enable_duplicate_check`: the same message to the same users within the interval is
  answered ok but not recorded again (`duplicates`).
- robot webhook: unknown key 93000; text <= 2048, markdown <= 4096 bytes (40058); image
  base64 + md5 of the raw bytes, PNG/JPG, <= 2 MB (40009); 20 a minute per key (45009,
  counted in `throttled`).
- aibot response: each response_code once, and within an hour of `response_url(code)`
  (RESPONSE_CODE_USED otherwise); markdown <= 20480 bytes.
- robot pictures (docs 100719): `serve_media(data, aes_key)` encrypts a picture as WeCom does for the
  robot (AES-256-CBC, key = base64 AES key, IV = key[:16], PKCS#7 to 32 bytes; no framing) and answers
  its download URL with the ciphertext for five minutes (then 404, like an expired link);
  `tamper=True` serves it with one byte flipped, as a damaged or forged download would be.
Customer groups and group sends (groupchat/list, groupchat/get, add_msg_template,
get_groupmsg_task, get_groupmsg_send_result): see tests/support/wecom_groups_standin.py.
Faults: `fail_next(n, status=500)` (or `errcode=-1` for "system busy" with HTTP 200),
`stall_next(n, seconds, after_accept=True, path=None)` (accept, then hold the answer:
a client killed meanwhile never learns the message went out). `advance(seconds)` moves the
stand-in's clock (rate windows, token expiry, duplicate interval) without sleeping.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import threading
import time
import uuid
from collections import defaultdict, deque

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from tests.support.wecom_groups_standin import CustomerGroupRoutes
from tests.support.wecom_rules import app_content_problem, err, image_problem, nbytes, robot_content_problem
from tests.support.wecom_standin_signin import SignInCardsMixin

RESPONSE_CODE_USED = 40001
ROBOT_PER_MINUTE = 20
USER_PER_MINUTE = 30
USER_PER_HOUR = 1000


class QuietHandler(WSGIRequestHandler):
    """No access log lines in test output."""

    def log_request(self, *args, **kwargs) -> None:
        pass


class WeComStandin(CustomerGroupRoutes, SignInCardsMixin):
    """The WeCom API on a local port; see the module docstring for the rules (and
    tests/support/wecom_standin_signin.py for OAuth2 sign-in and template cards)."""

    def __init__(self, corp_id: str = "ww_test", secret: str = "s3cret", *, agent_id: int | None = None,
                 token_expires_in: int = 7200):
        self.corp_id, self.secret, self.agent_id = corp_id, secret, agent_id
        self.token_expires_in = token_expires_in
        self.app_messages: list[dict] = []
        self.app_deliveries: list[tuple[str, dict]] = []  # (userid, body) per user reached
        self.webhook_messages: list[tuple[str, dict]] = []
        self.bot_responses: list[tuple[str, dict]] = []
        self.uploads: list[dict] = []
        self.calls: list[tuple[str, int]] = []  # (path, errcode or HTTP status) of every call
        self.valid_webhook_keys: set[str] = set()
        self.valid_userids: set[str] | None = None
        self.token_fetches = 0
        self.dropped = 0
        self.duplicates = 0
        self.throttled = 0
        self._tokens: dict[str, float] = {}
        self._media: dict[str, dict] = {}
        self._downloads: dict[str, tuple[bytes, float]] = {}  # robot pictures: path -> (ciphertext, served from)
        self.media_fetches = 0
        self._codes_issued: dict[str, float] = {}
        self._codes_used: set[str] = set()
        self._rate: dict[tuple, deque] = defaultdict(deque)
        self._seen: dict[str, tuple[float, str]] = {}
        self._faults: deque = deque()
        self._stalls: deque = deque()
        self._offset = 0.0
        self._lock = threading.RLock()
        self._release = threading.Event()
        self._server = None
        self._thread: threading.Thread | None = None
        self._routes = {
            "/cgi-bin/gettoken": self._gettoken,
            "/cgi-bin/message/send": self._app_send,
            "/cgi-bin/media/upload": self._media_upload,
            "/cgi-bin/webhook/send": self._webhook_send,
            "/cgi-bin/webhook/upload_media": self._webhook_upload,
            "/cgi-bin/aibot/response": self._bot_response,
        }
        self._init_customer_groups()  # custgroups: the customer-group section lives in wecom_groups_standin.py
        self._init_signin_cards()  # issue 18: OAuth2 sign-in and template cards (separate section)

    # ----- life cycle and test controls -------------------------------------------------
    def __enter__(self) -> WeComStandin:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        """Serve on 127.0.0.1 at a free port in a daemon thread."""
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True,
                                   request_handler=QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="wecom-standin", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Release stalled requests and stop serving."""
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def now(self) -> float:
        """The stand-in's clock (real time plus `advance`)."""
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the stand-in's clock forward (rate windows, expiry, duplicate interval)."""
        with self._lock:
            self._offset += seconds

    def expire_tokens(self) -> None:
        """Every token issued so far answers 42001 from now on."""
        with self._lock:
            for token in self._tokens:
                self._tokens[token] = 0.0

    def fail_next(self, n: int = 1, status: int = 500, errcode: int | None = None) -> None:
        """The next n API calls fail: HTTP `status`, or HTTP 200 with `errcode` when given."""
        with self._lock:
            self._faults.extend([(status, errcode)] * n)

    def stall_next(self, n: int = 1, seconds: float = 30.0, after_accept: bool = True,
                   path: str | None = None) -> None:
        """Hold the answer of the next n calls (to `path` only, when given; after recording them
        when `after_accept`, so a client killed meanwhile never learns the message went out)."""
        with self._lock:
            self._stalls.extend([(seconds, after_accept, path)] * n)

    def response_url(self, code: str) -> str:
        """The robot later-reply URL WeCom would give with a message; valid once, for an hour."""
        with self._lock:
            self._codes_issued.setdefault(code, self.now())
        return f"{self.base_url}/cgi-bin/aibot/response?response_code={code}"

    def serve_media(self, data: bytes, aes_key: str, *, tamper: bool = False) -> str:
        """The download URL of a robot message's picture, encrypted the way WeCom encrypts it."""
        key = base64.b64decode(aes_key + "=" * (-len(aes_key) % 4))
        pad = 32 - len(data) % 32
        enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
        cipher = bytearray(enc.update(data + bytes([pad]) * pad) + enc.finalize())
        if tamper:  # the last byte of the next-to-last block: the padding no longer checks out
            cipher[-17] ^= 0x01
        path = f"/media/{uuid.uuid4().hex}"
        with self._lock:
            self._downloads[path] = (bytes(cipher), self.now())
        return f"{self.base_url}{path}"

    # ----- plumbing ----------------------------------------------------------------------
    def _wsgi(self, environ, start_response):
        req = Request(environ)
        if req.path.startswith("/media/"):
            return self._media_download(req)(environ, start_response)
        handler = self._routes.get(req.path)
        if handler is None:
            return Response("not found", status=404)(environ, start_response)
        with self._lock:
            fault = self._faults.popleft() if self._faults else None
            stall = None
            if self._stalls and self._stalls[0][2] in (None, req.path):
                stall = self._stalls.popleft()
        if fault and fault[1] is None:
            self._log(req.path, fault[0])
            return Response("provider down", status=fault[0])(environ, start_response)
        if stall and not stall[1]:
            self._release.wait(stall[0])
        if fault:
            answer = err(fault[1], "system busy")
        else:
            with self._lock:
                answer = handler(req)
        self._log(req.path, answer.get("errcode", 0) if isinstance(answer, dict) else answer.status_code)
        if stall and stall[1]:
            self._release.wait(stall[0])
        if isinstance(answer, Response):  # a page or a redirect (the OAuth2 authorize page)
            return answer(environ, start_response)
        body = json.dumps(answer, ensure_ascii=False)
        return Response(body, content_type="application/json; charset=utf-8")(environ, start_response)

    def _media_download(self, req: Request) -> Response:
        with self._lock:
            served = self._downloads.get(req.path)
            self.media_fetches += 1
        if served is None or self.now() - served[1] > 300:
            self._log("/media", 404)
            return Response("not found", status=404)
        self._log("/media", 0)
        return Response(served[0], content_type="application/octet-stream")

    def _log(self, path: str, code: int) -> None:
        with self._lock:
            self.calls.append((path, code))

    def _json(self, req: Request) -> dict | None:
        try:
            data = json.loads(req.get_data(as_text=True) or "null")
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def _token_error(self, req: Request) -> dict | None:
        token = req.args.get("access_token", "")
        if token not in self._tokens:
            return err(40014, "invalid access_token")
        if self._tokens[token] <= self.now():
            return err(42001, "access_token expired")
        return None

    def _within_rate(self, key: tuple, limits: tuple[tuple[int, float], ...]) -> bool:
        """True (and counted) when one more call on `key` fits every (limit, window)."""
        stamps, now = self._rate[key], self.now()
        longest = max(window for _, window in limits)
        while stamps and stamps[0] <= now - longest:
            stamps.popleft()
        for limit, window in limits:
            if sum(1 for t in stamps if t > now - window) >= limit:
                return False
        stamps.append(now)
        return True

    # ----- access token ----------------------------------------------------------------------
    def _gettoken(self, req: Request) -> dict:
        self.token_fetches += 1
        if req.args.get("corpid") != self.corp_id:
            return err(40013, "invalid corpid")
        if req.args.get("corpsecret") != self.secret:
            return err(40001, "invalid credential")
        token = uuid.uuid4().hex
        self._tokens[token] = self.now() + self.token_expires_in
        return err(0, "ok", access_token=token, expires_in=self.token_expires_in)

    # ----- app messages ----------------------------------------------------------------------
    def _app_send(self, req: Request) -> dict:
        if problem := self._token_error(req):
            return problem
        body = self._json(req)
        if body is None:
            return err(47001, "data format error")
        if self.agent_id is not None and str(body.get("agentid")) != str(self.agent_id):
            return err(40056, "invalid agentid")
        if problem := app_content_problem(body, self._media):
            return problem
        if body.get("msgtype") == "template_card" and (problem := self._card_problem(body)):
            return problem
        wanted = [u for u in str(body.get("touser", "")).split("|") if u]
        if wanted == ["@all"]:
            wanted = sorted(self.valid_userids or {"@all"})
        invalid = [u for u in wanted if self.valid_userids is not None and u not in self.valid_userids]
        valid = [u for u in wanted if u not in invalid]
        if not valid and not body.get("toparty") and not body.get("totag"):
            return err(81013, "user & party & tag all invalid", invaliduser="|".join(invalid))
        msgid = "msg-" + uuid.uuid4().hex[:16]
        if body.get("enable_duplicate_check") == 1:
            fingerprint = json.dumps([sorted(valid), body.get("msgtype"), body.get(body.get("msgtype"))],
                                     sort_keys=True, ensure_ascii=False)
            interval = min(int(body.get("duplicate_check_interval", 1800)), 4 * 3600)
            seen = self._seen.get(fingerprint)
            if seen and self.now() - seen[0] < interval:
                self.duplicates += 1
                return err(0, "ok", invaliduser="|".join(invalid), msgid=seen[1])
            self._seen[fingerprint] = (self.now(), msgid)
        reached = [u for u in valid
                   if self._within_rate(("user", u), ((USER_PER_MINUTE, 60), (USER_PER_HOUR, 3600)))]
        self.dropped += len(valid) - len(reached)
        if reached or not valid:
            self.app_messages.append(copy.deepcopy(body))
            self.app_deliveries.extend((u, copy.deepcopy(body)) for u in reached)
        extra = self._card_sent(body, reached) if body.get("msgtype") == "template_card" and reached else {}
        return err(0, "ok", invaliduser="|".join(invalid), msgid=msgid, **extra)

    def _media_upload(self, req: Request) -> dict:
        if problem := self._token_error(req):
            return problem
        return self._store_upload(req, via="app", limits={"image": 10 << 20, "voice": 2 << 20,
                                                          "video": 10 << 20, "file": 20 << 20})

    def _store_upload(self, req: Request, *, via: str, limits: dict, key: str = "") -> dict:
        kind = req.args.get("type", "")
        if kind not in limits:
            return err(40004, "invalid media type")
        media = req.files.get("media")
        if media is None:
            return err(41009, "missing media field")
        data = media.read()
        if not data or len(data) > limits[kind]:
            return err(40006, "invalid file size")
        if kind == "image" and (problem := image_problem(data, limits[kind])):
            return err(40009, problem)
        media_id = f"{kind}-{uuid.uuid4().hex[:20]}"
        record = {"type": kind, "filename": media.filename, "size": len(data), "media_id": media_id,
                  "via": via, "key": key, "md5": hashlib.md5(data).hexdigest(), "created": self.now()}
        self._media[media_id] = record
        self.uploads.append(dict(record))
        return err(0, "ok", type=kind, media_id=media_id, created_at=str(int(self.now())))

    # ----- group robot webhook ---------------------------------------------------------------
    def _webhook_send(self, req: Request) -> dict:
        key = req.args.get("key", "")
        if key not in self.valid_webhook_keys:
            return err(93000, "invalid webhook url")
        body = self._json(req)
        if body is None:
            return err(47001, "data format error")
        if problem := robot_content_problem(body, self._media):
            return problem
        if not self._within_rate(("robot", key), ((ROBOT_PER_MINUTE, 60),)):
            self.throttled += 1
            return err(45009, "api freq out of limit")
        self.webhook_messages.append((key, copy.deepcopy(body)))
        return err(0, "ok")

    def _webhook_upload(self, req: Request) -> dict:
        key = req.args.get("key", "")
        if key not in self.valid_webhook_keys:
            return err(93000, "invalid webhook url")
        return self._store_upload(req, via="webhook", key=key, limits={"file": 20 << 20, "voice": 2 << 20})

    # ----- intelligent robot later reply -----------------------------------------------------
    def _bot_response(self, req: Request) -> dict:
        code = req.args.get("response_code", "")
        issued = self._codes_issued.get(code)
        if not code or code in self._codes_used:
            return err(RESPONSE_CODE_USED, "response_code already used or invalid")
        if issued is not None and self.now() - issued > 3600:
            return err(RESPONSE_CODE_USED, "response_code expired")
        body = self._json(req)
        if body is None:
            return err(47001, "data format error")
        kind = body.get("msgtype")
        if kind == "markdown":
            content = (body.get("markdown") or {}).get("content")
            if not content:
                return err(44004, "empty content")
            if nbytes(content) > 20480:
                return err(40058, "markdown.content exceeds 20480 bytes")
        elif kind != "template_card":
            return err(40008, "invalid message type")
        self._codes_used.add(code)
        self.bot_responses.append((code, copy.deepcopy(body)))
        return err(0, "ok")
