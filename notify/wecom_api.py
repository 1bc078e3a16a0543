"""HTTP to the WeCom API, shared by the app, robot and robot-reply channels.

`WeComHttp` sends with timeouts and turns HTTP and `errcode` answers into ChannelError
(retry or not). `TokenCache` keeps the app's access_token in Redis for every process,
refreshes it 5 minutes early under a Redis lock so one process fetches, and forgets a
token WeCom rejected. `WeComClient` makes token calls, fetching again on
40001/40014/42001 at most `TOKEN_RETRY_CAP` times per call.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable

import redis
import requests

from notify import texts
from notify.channels import ChannelError

log = logging.getLogger(__name__)

TIMEOUT = (3.05, 10)  # connect, read (seconds)
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
RETRY_LATER = {-1: 10, 45009: 60, 45033: 60, 45047: 60}  # errcode -> seconds to wait
THROTTLE_ERRORS = frozenset({45009, 45033, 45047})
REFRESH_EARLY = 300  # seconds before expiry a token is fetched again
TOKEN_RETRY_CAP = 2
LOCK_TTL = 15
LOCK_WAIT = 5.0


class WeComApiError(ChannelError):
    """WeCom answered a non-zero errcode."""

    def __init__(self, errcode: int, errmsg: str):
        wait = RETRY_LATER.get(errcode)
        super().__init__(texts.WECOM_ERROR.format(errcode=errcode, errmsg=errmsg),
                         retry=wait is not None or errcode in TOKEN_ERRORS, retry_after=wait,
                         deferred=errcode in THROTTLE_ERRORS)
        self.errcode = errcode
        self.errmsg = errmsg


class WeComHttp:
    """Plain HTTP to WeCom: timeouts, and every failure as a ChannelError."""

    def __init__(self, base_url: str, session: requests.Session | None = None, timeout=TIMEOUT):
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.timeout = timeout

    def request(self, method: str, path_or_url: str, **kwargs) -> dict:
        """Call WeCom and return the answer body; raise ChannelError on any failure."""
        url = path_or_url if "://" in path_or_url else self.base_url + path_or_url
        try:
            resp = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise ChannelError(texts.PROVIDER_DOWN.format(service=texts.WECOM_SERVICE, detail=type(exc).__name__)) from None
        return answer_of(resp)


def answer_of(resp: requests.Response) -> dict:
    """The JSON body of a WeCom answer, or the ChannelError its status/errcode means."""
    if resp.status_code >= 500 or resp.status_code == 429:
        raise ChannelError(texts.PROVIDER_DOWN.format(service=texts.WECOM_SERVICE, detail=f"HTTP {resp.status_code}"))
    if resp.status_code >= 400:
        raise ChannelError(texts.WECOM_ERROR.format(errcode=f"HTTP {resp.status_code}", errmsg=resp.text[:200]),
                           retry=False)
    try:
        data = resp.json()
    except ValueError:
        raise ChannelError(texts.PROVIDER_DOWN.format(service=texts.WECOM_SERVICE, detail="answer is not JSON")) from None
    errcode = int(data.get("errcode", 0) or 0)
    if errcode:
        raise WeComApiError(errcode, str(data.get("errmsg", "")))
    return data


class TokenCache:
    """One app's access_token in Redis (key per corp id + agent id), shared by every process."""

    def __init__(self, conn: redis.Redis, http: WeComHttp, corp_id: str, secret: str, agent_id: int | str,
                 clock: Callable[[], float] = time.time):
        self.conn, self.http, self.corp_id, self.secret, self.clock = conn, http, corp_id, secret, clock
        self.key = f"ops:wecom:token:{corp_id}:{agent_id}"
        self.lock_key = self.key + ":lock"

    def get(self) -> str:
        """A token that is valid for at least a few more minutes."""
        cached = self._read()
        if cached and self.clock() < cached["fresh_until"]:
            return cached["token"]
        return self._refresh(cached)

    def invalidate(self, token: str) -> None:
        """Forget `token` (WeCom rejected it), unless another process already replaced it."""
        with self.conn.pipeline() as p:
            try:
                p.watch(self.key)
                raw = p.get(self.key)
                if raw and json.loads(raw).get("token") == token:
                    p.multi()
                    p.delete(self.key)
                    p.execute()
                else:
                    p.unwatch()
            except redis.WatchError:
                pass

    def _read(self) -> dict | None:
        raw = self.conn.get(self.key)
        return json.loads(raw) if raw else None

    def _refresh(self, stale: dict | None) -> str:
        me = uuid.uuid4().hex
        have_lock = bool(self.conn.set(self.lock_key, me, nx=True, ex=LOCK_TTL))
        try:
            if not have_lock:
                fresh = self._wait_for_other(stale)
                if fresh:
                    return fresh
            else:  # another process may have fetched and released the lock since we read the cache
                cached = self._read()
                if cached and cached != stale and self.clock() < cached["fresh_until"]:
                    return cached["token"]
            return self._fetch()
        finally:
            if have_lock and self.conn.get(self.lock_key) == me.encode():
                self.conn.delete(self.lock_key)

    def _wait_for_other(self, stale: dict | None) -> str | None:
        """Another process is fetching: use its token, or the stale one while it still works."""
        if stale and self.clock() < stale["expires_at"]:
            return stale["token"]
        deadline = time.monotonic() + LOCK_WAIT
        while time.monotonic() < deadline:
            # Look at the lock before the cache: the fetcher writes the token before it lets go of
            # the lock, so a lock seen free means the cache read after it has the new token.
            lock_held = self.conn.exists(self.lock_key)
            cached = self._read()
            if cached and cached != stale and self.clock() < cached["expires_at"]:
                return cached["token"]
            if not lock_held:
                break
            time.sleep(0.05)
        return None

    def _fetch(self) -> str:
        try:
            data = self.http.request("GET", "/cgi-bin/gettoken",
                                     params={"corpid": self.corp_id, "corpsecret": self.secret})
        except ChannelError as exc:
            raise ChannelError(texts.TOKEN_FETCH_FAILED.format(detail=exc), retry=True,
                               retry_after=exc.retry_after) from None
        token, ttl = data["access_token"], int(data.get("expires_in", 7200))
        now = self.clock()
        record = {"token": token, "expires_at": now + ttl, "fresh_until": now + ttl - min(REFRESH_EARLY, ttl // 2)}
        self.conn.set(self.key, json.dumps(record), ex=max(ttl, 1))
        log.info("fetched a WeCom access_token for %s (expires in %ss)", self.key, ttl)
        return token


class WeComClient:
    """Calls that carry the app's access_token."""

    def __init__(self, http: WeComHttp, tokens: TokenCache, retry_cap: int = TOKEN_RETRY_CAP):
        self.http, self.tokens, self.retry_cap = http, tokens, retry_cap

    def call(self, method: str, path: str, *, params: dict | None = None, **kwargs) -> dict:
        """Call with a token; fetch a new token when WeCom rejects it, at most `retry_cap` times."""
        for _ in range(self.retry_cap + 1):
            token = self.tokens.get()
            try:
                return self.http.request(method, path, params={**(params or {}), "access_token": token}, **kwargs)
            except WeComApiError as exc:
                if exc.errcode not in TOKEN_ERRORS:
                    raise
                log.warning("WeCom rejected the access_token (%s); fetching a new one", exc.errcode)
                self.tokens.invalidate(token)
        raise ChannelError(texts.TOKEN_REJECTED.format(n=self.retry_cap + 1), retry=True)

    def send_message(self, body: dict) -> dict:
        """POST /cgi-bin/message/send."""
        return self.call("POST", "/cgi-bin/message/send", json=body)

    def upload_media(self, kind: str, filename: str, data: bytes) -> str:
        """POST /cgi-bin/media/upload; returns the media_id (valid 3 days)."""
        answer = self.call("POST", "/cgi-bin/media/upload", params={"type": kind},
                           files={"media": (filename, data)})
        return answer["media_id"]

    def user_of_code(self, code: str) -> dict:
        """GET /cgi-bin/auth/getuserinfo (doc 98177): the OAuth2 code's member, `{"userid"}` for a member
        of the corp, `{"openid", "external_userid"}` for anyone else; a code works once, for 5 minutes."""
        return self.call("GET", "/cgi-bin/auth/getuserinfo", params={"code": code})

    def update_template_card(self, body: dict) -> dict:
        """POST /cgi-bin/message/update_template_card (doc 94888): consumes the body's response_code."""
        return self.call("POST", "/cgi-bin/message/update_template_card", json=body)
