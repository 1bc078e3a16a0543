"""WeCom stand-in, sign-in and cards section (issue 18): OAuth2 authorize + auth/getuserinfo, app
template cards (message/send `template_card`) and message/update_template_card, and the click event
a card's button sends to the app callback. Mixed into WeComStandin; kept apart to ease merging.

Rules, with their source (doc numbers of developer.work.weixin.qq.com) or marked ASSUMPTION:
- authorize (/connect/oauth2/authorize): appid must be the corp id, response_type `code`, scope
  `snsapi_base` or `snsapi_privateinfo`, a redirect_uri; the browser comes back to
  redirect_uri?code=CODE&state=STATE (doc 91022). The member is whoever `signed_in_as()` names (the
  person using the WeCom client); None = a browser that is not WeCom, which gets an error page
  (ASSUMPTION: the wording and status of that page). `signed_in_as(openid=…)` is a non-member.
- getuserinfo (/cgi-bin/auth/getuserinfo, doc 98177): access_token checked; a code works once and
  expires 5 minutes after it was issued, else 40029 invalid code (ASSUMPTION: expired also answers
  40029, the documented "invalid code"); a member gets {"userid"}, a non-member {"openid",
  "external_userid"}; with `trusted_domain` set, a code whose redirect_uri host differs answers 50001.
- template_card (doc 90236): card_type known; button_interaction needs main_title.title, a task_id of
  at most 128 bytes of [0-9A-Za-z_-@] unique per app, 1–6 buttons, each with text and a key (type 0)
  or url (type 1) (40058 otherwise; ASSUMPTION: 40058 for a repeated task_id too). The answer
  carries a `response_code` for one later update.
- update_template_card (doc 94888): agentid checked; response_code from a send answer or a click,
  each once and within 72 hours (ASSUMPTION: errcode 40058 for a used, unknown or expired code — the
  docs name no code); the card must be button/vote/multiple interaction; button.replace_name
  disables the buttons of the listed userids' copy (`userids` must be recipients, ASSUMPTION).
- clicks (`click(...)`): only a recipient, only an existing callback button, only while that
  person's copy still has live buttons (WeCom greys them out after replace_name). Each click gets a
  fresh ResponseCode; `card_event_xml` is the event as the app callback receives it (doc 90240).
"""

from __future__ import annotations

import copy
import re
import time
import uuid
from urllib.parse import urlencode, urlparse

from werkzeug.wrappers import Request, Response

from tests.support.wecom_rules import err, nbytes

OAUTH_CODE_SECONDS = 300
CARD_CODE_SECONDS = 72 * 3600
CARD_TYPES = ("text_notice", "news_notice", "button_interaction", "vote_interaction", "multiple_interaction")
UPDATABLE = ("button_interaction", "vote_interaction", "multiple_interaction")
_TASK_ID = re.compile(r"^[0-9A-Za-z_\-@]{1,128}$")


class SignInCardsMixin:
    """The section of WeComStandin for OAuth2 sign-in and template cards."""

    def _init_signin_cards(self) -> None:
        self.trusted_domain: str | None = None
        self.cards: dict[str, dict] = {}  # task_id -> {body, userids, sent_at, disabled: {userid: text}}
        self.card_updates: list[dict] = []
        self._member: dict | None = None
        self._oauth_codes: dict[str, dict] = {}
        self._card_codes: dict[str, dict] = {}
        self._routes.update({
            "/connect/oauth2/authorize": self._oauth_authorize,
            "/cgi-bin/auth/getuserinfo": self._getuserinfo,
            "/cgi-bin/message/update_template_card": self._update_card,
        })

    # ----- test controls ---------------------------------------------------------------------
    def signed_in_as(self, userid: str | None = None, *, openid: str | None = None) -> None:
        """Who uses the WeCom client that opens links: a member (userid), a non-member (openid), or
        nobody (None: the link is opened in an ordinary browser)."""
        with self._lock:
            self._member = {"userid": userid} if userid else ({"openid": openid} if openid else None)

    def oauth_code(self, userid: str, redirect_uri: str = "http://testserver/") -> str:
        """A code as the authorize page would issue it (for tests that skip the browser hop)."""
        with self._lock:
            return self._issue_oauth_code({"userid": userid}, redirect_uri)

    def click(self, task_id: str, userid: str, key: str) -> dict:
        """A member taps a callback button: the event fields the app callback receives."""
        with self._lock:
            card = self.cards.get(task_id)
            if card is None or userid not in card["userids"]:
                raise AssertionError(f"{userid} has no card {task_id}")
            if userid in card["disabled"]:
                raise AssertionError(f"the buttons of {userid}'s card {task_id} are greyed out")
            keys = [b.get("key") for b in card["body"]["template_card"].get("button_list", [])
                    if int(b.get("type", 0) or 0) == 0]
            if key not in keys:
                raise AssertionError(f"card {task_id} has no button {key!r}")
            code = self._issue_card_code(task_id, userid)
            return {"FromUserName": userid, "CreateTime": str(int(self.now())), "EventKey": key,
                    "TaskId": task_id, "CardType": card["body"]["template_card"]["card_type"],
                    "ResponseCode": code, "AgentID": str(card["body"].get("agentid", ""))}

    def card_event_xml(self, event: dict) -> str:
        """The decrypted XML of a template_card_event as the app callback gets it (doc 90240)."""
        fields = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in event.items() if k not in ("CreateTime",))
        return (f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName><CreateTime>{event['CreateTime']}"
                f"</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event>"
                f"{fields}</xml>")

    def card_for(self, userid: str) -> dict | None:
        """The newest card sent to `userid` (its stored record), or None."""
        with self._lock:
            mine = [c for c in self.cards.values() if userid in c["userids"]]
            return mine[-1] if mine else None

    # ----- OAuth2 ------------------------------------------------------------------------------
    def _issue_oauth_code(self, member: dict, redirect_uri: str) -> str:
        code = uuid.uuid4().hex + uuid.uuid4().hex
        self._oauth_codes[code] = {**member, "issued": self.now(), "used": False,
                                   "host": urlparse(redirect_uri).hostname}
        return code

    def _oauth_authorize(self, req: Request) -> Response:
        a = req.args
        problem = None
        if a.get("appid") != self.corp_id:
            problem = "appid 无效"
        elif a.get("response_type") != "code" or a.get("scope") not in ("snsapi_base", "snsapi_privateinfo"):
            problem = "参数错误"
        elif not a.get("redirect_uri", "").startswith(("http://", "https://")):
            problem = "redirect_uri 无效"
        elif self._member is None:
            problem = "请在企业微信客户端打开链接"
        if problem:
            return Response(f"<html><body>{problem}</body></html>", status=200, content_type="text/html")
        code = self._issue_oauth_code(self._member, a["redirect_uri"])
        sep = "&" if "?" in a["redirect_uri"] else "?"
        target = a["redirect_uri"] + sep + urlencode({"code": code, "state": a.get("state", "")})
        return Response("", status=302, headers={"Location": target})

    def _getuserinfo(self, req: Request) -> dict:
        if problem := self._token_error(req):
            return problem
        found = self._oauth_codes.get(req.args.get("code", ""))
        if found is None or found["used"] or self.now() - found["issued"] > OAUTH_CODE_SECONDS:
            return err(40029, "invalid code")
        found["used"] = True
        if self.trusted_domain and found["host"] != self.trusted_domain:
            return err(50001, "redirect_url not authorised")
        if found.get("userid"):
            return err(0, "ok", userid=found["userid"])
        return err(0, "ok", openid=found["openid"], external_userid="wm" + found["openid"])

    # ----- template cards ----------------------------------------------------------------------
    def _card_problem(self, body: dict) -> dict | None:
        """message/send's template_card rules (doc 90236)."""
        card = body.get("template_card") or {}
        kind = card.get("card_type")
        if kind not in CARD_TYPES:
            return err(40058, "invalid card_type")
        if kind != "button_interaction":
            return None
        title = (card.get("main_title") or {}).get("title")
        task_id = str(card.get("task_id") or "")
        buttons = card.get("button_list") or []
        if not title or nbytes(title) > 128:
            return err(40058, "main_title.title missing or too long")
        if not _TASK_ID.match(task_id) or nbytes(task_id) > 128:
            return err(40058, "invalid task_id")
        if task_id in self.cards:
            return err(40058, "task_id exists")
        if not 1 <= len(buttons) <= 6:
            return err(40058, "button_list needs 1-6 buttons")
        for b in buttons:
            kind_b = int(b.get("type", 0) or 0)
            if not b.get("text") or (kind_b == 0 and not b.get("key")) or (kind_b == 1 and not b.get("url")):
                return err(40058, "button needs text and a key (type 0) or url (type 1)")
        return None

    def _card_sent(self, body: dict, reached: list[str]) -> dict:
        """Record a sent card; the answer's extra fields (response_code)."""
        card = body["template_card"]
        task_id = str(card.get("task_id") or uuid.uuid4().hex)
        self.cards[task_id] = {"body": copy.deepcopy(body), "userids": list(reached), "sent_at": self.now(),
                               "disabled": {}}
        if card.get("card_type") not in UPDATABLE:
            return {}
        return {"response_code": self._issue_card_code(task_id, None)}

    def _issue_card_code(self, task_id: str, userid: str | None) -> str:
        code = "rc-" + uuid.uuid4().hex
        self._card_codes[code] = {"task_id": task_id, "userid": userid, "issued": self.now(), "used": False}
        return code

    def _update_card(self, req: Request) -> dict:
        if problem := self._token_error(req):
            return problem
        body = self._json(req)
        if body is None:
            return err(47001, "data format error")
        if self.agent_id is not None and str(body.get("agentid")) != str(self.agent_id):
            return err(40056, "invalid agentid")
        found = self._card_codes.get(str(body.get("response_code") or ""))
        if found is None or found["used"] or self.now() - found["issued"] > CARD_CODE_SECONDS:
            return err(40058, "invalid response_code")
        card = self.cards.get(found["task_id"])
        if card is None or card["body"]["template_card"].get("card_type") not in UPDATABLE:
            return err(40058, "card can not be updated")
        replace = (body.get("button") or {}).get("replace_name")
        if not replace and not body.get("template_card"):
            return err(40058, "button.replace_name or template_card required")
        targets = card["userids"] if body.get("atall") else [u for u in body.get("userids") or []]
        if not targets or any(u not in card["userids"] for u in targets):
            return err(40058, "userids must be recipients of the card")
        found["used"] = True
        for u in targets:
            card["disabled"][u] = replace or "updated"
        self.card_updates.append({**copy.deepcopy(body), "task_id": found["task_id"], "at": time.time()})
        return err(0, "ok", invaliduser=[])
