"""Customer-group endpoints of the WeCom stand-in (a mixin of `WeComStandin`, kept apart to ease merging).

Endpoints (developer.work.weixin.qq.com, 客户联系):
- `externalcontact/groupchat/list` (doc 93414): `owner_filter.userid_list` (<= 100), `cursor`,
  `limit` 1..1000, answers `group_chat_list` [{chat_id, status}] and `next_cursor` ("" at the end).
- `externalcontact/groupchat/get` (doc 92122): `group_chat` {chat_id, name, owner, create_time,
  member_list, admin_list}.
- `externalcontact/add_msg_template` (doc 92135) with `chat_type: "group"`: `sender` required for
  groups, every chat in `chat_id_list` must be owned by the sender, at most 9 attachments, an image
  attachment's media_id must come from media/upload and be younger than 3 days; answers
  {msgid, fail_list}. Nothing reaches a group until the owner confirms (`confirm_group_send`).
- `externalcontact/get_groupmsg_task` / `get_groupmsg_send_result` (doc 93338): task_list
  [{userid, status 0/1, send_time}], send_list [{chat_id, userid, status 0-3, send_time}], paged.

Rules and where they are assumptions:
- Receiving caps per group (doc 92135, page of 2025-11-17: "每位客户/每个客户群每月最多可接收条数为当月
  天数 … 可在企业微信-群发助手-设置群发规则中调整为每周接收七条或每天接收一条"): a customer group
  receives at most as many enterprise group sends per natural month as the month has days; the corp
  may instead set one a day or seven a week (`group_send_rule` = "month" | "day" | "week"). A group
  over its cap gets status 3 ("因客户已经收到其他群发消息导致发送失败", doc 93338) when the owner
  confirms — ASSUMPTION: WeCom reports the cap at confirmation time in the send result rather than
  refusing add_msg_template. ASSUMPTION: month, week (Monday to Sunday) and day are calendar periods
  in China time (UTC+8), not rolling windows; the page does not say.
- `chat_id_list` holds at most 2000 groups (doc 92135); more answers 40058 (the errcode is an assumption).
- A task is confirmed once: `confirm_group_send` on a confirmed task changes nothing and returns False.
- ASSUMPTION (the page names the rule, not the code): a chat the sender does not own answers
  errcode `NOT_GROUP_OWNER`; an unknown chat_id answers 40050; an unknown msgid answers 41063.
"""

from __future__ import annotations

import calendar
import copy
import uuid
from datetime import datetime, timedelta, timezone

from werkzeug.wrappers import Request

from tests.support.wecom_rules import err

MEDIA_DAYS = 3
NOT_GROUP_OWNER = 90206  # assumption: see the module docstring
UNKNOWN_CHAT = 40050  # "chatid不存在" of WeCom's global error codes
UNKNOWN_MSGID = 41063  # assumption
MAX_ATTACHMENTS = 9
MAX_OWNER_FILTER = 100
MAX_CHAT_IDS = 2000
CHINA = timezone(timedelta(hours=8))  # calendar periods of the caps (an assumption, see above)
RULE_CAPS = {"day": 1, "week": 7}


class CustomerGroupRoutes:
    """State, routes and test controls of customer groups and group-send tasks."""

    def _init_customer_groups(self) -> None:
        self.customer_groups: dict[str, dict] = {}
        self.group_send_tasks: dict[str, dict] = {}  # msgid -> {sender, chat_ids, body, confirmed_at, status}
        self.group_send_rule = "month"
        self.list_page_cap: int | None = None  # at most this many groups per page (to exercise the cursor)
        self._group_receipts: dict[str, list[float]] = {}
        self._routes.update({
            "/cgi-bin/externalcontact/groupchat/list": self._groupchat_list,
            "/cgi-bin/externalcontact/groupchat/get": self._groupchat_get,
            "/cgi-bin/externalcontact/add_msg_template": self._add_msg_template,
            "/cgi-bin/externalcontact/get_groupmsg_task": self._groupmsg_task,
            "/cgi-bin/externalcontact/get_groupmsg_send_result": self._groupmsg_send_result,
        })

    # ----- test controls -----------------------------------------------------------------
    def add_customer_group(self, chat_id: str, name: str, owner: str, members: int = 3) -> None:
        """A customer group that `owner` owns, with `members` external members."""
        with self._lock:
            self.customer_groups[chat_id] = {
                "chat_id": chat_id, "name": name, "owner": owner, "create_time": int(self.now()), "status": 0,
                "member_list": [{"userid": f"wm{uuid.uuid4().hex[:12]}", "type": 2, "join_time": int(self.now())}
                                for _ in range(members)], "admin_list": []}

    def confirm_group_send(self, msgid: str) -> bool:
        """The owner taps 发送 in WeCom: each group gets it (1) or is over its cap (3). Once only."""
        with self._lock:
            task = self.group_send_tasks[msgid]
            if task["confirmed_at"] is not None:
                return False
            now = self.now()
            task["confirmed_at"] = now
            for chat_id in task["chat_ids"]:
                if self._within_group_cap(chat_id, now):
                    self._group_receipts.setdefault(chat_id, []).append(now)
                    task["status"][chat_id] = 1
                else:
                    task["status"][chat_id] = 3
            return True

    def _period(self, stamp: float) -> tuple:
        """The calendar period of the group's receiving rule that `stamp` falls in (China time)."""
        d = datetime.fromtimestamp(stamp, CHINA)
        if self.group_send_rule == "day":
            return (d.date(),)
        if self.group_send_rule == "week":
            return tuple(d.isocalendar()[:2])
        return (d.year, d.month)

    def _within_group_cap(self, chat_id: str, now: float) -> bool:
        period = self._period(now)
        received = sum(1 for t in self._group_receipts.get(chat_id, []) if self._period(t) == period)
        if self.group_send_rule in RULE_CAPS:
            return received < RULE_CAPS[self.group_send_rule]
        day = datetime.fromtimestamp(now, CHINA)
        return received < calendar.monthrange(day.year, day.month)[1]

    # ----- endpoints -----------------------------------------------------------------------
    def _groupchat_list(self, req: Request) -> dict:
        if problem := self._token_error(req):
            return problem
        body = self._json(req)
        if body is None:
            return err(47001, "data format error")
        owners = ((body.get("owner_filter") or {}).get("userid_list")) or None
        if owners is not None and len(owners) > MAX_OWNER_FILTER:
            return err(40058, "owner_filter.userid_list exceeds 100")
        limit = body.get("limit")
        if not isinstance(limit, int) or not 1 <= limit <= 1000:
            return err(40058, "limit must be 1 ~ 1000")
        chats = [c for c in self.customer_groups.values() if owners is None or c["owner"] in owners]
        start = int(body.get("cursor") or 0) if str(body.get("cursor") or "0").isdigit() else 0
        page = min(limit, self.list_page_cap or limit)
        items = chats[start:start + page]
        more = start + page < len(chats)
        return err(0, "ok", group_chat_list=[{"chat_id": c["chat_id"], "status": c["status"]} for c in items],
                   next_cursor=str(start + page) if more else "")

    def _groupchat_get(self, req: Request) -> dict:
        if problem := self._token_error(req):
            return problem
        body = self._json(req) or {}
        chat = self.customer_groups.get(body.get("chat_id") or "")
        if chat is None:
            return err(UNKNOWN_CHAT, "invalid chatid")
        return err(0, "ok", group_chat=copy.deepcopy(chat))

    def _add_msg_template(self, req: Request) -> dict:
        if problem := self._token_error(req):
            return problem
        body = self._json(req)
        if body is None:
            return err(47001, "data format error")
        if body.get("chat_type") != "group":
            return err(40058, "the stand-in knows chat_type group only")
        sender = body.get("sender") or ""
        if not sender or (self.valid_userids is not None and sender not in self.valid_userids):
            return err(40003, "invalid sender userid")
        attachments = body.get("attachments") or []
        if not attachments and not (body.get("text") or {}).get("content"):
            return err(44004, "empty content")
        if len(attachments) > MAX_ATTACHMENTS:
            return err(40058, "at most 9 attachments")
        for a in attachments:
            if problem := self._attachment_problem(a):
                return problem
        chat_ids = body.get("chat_id_list") or []
        if len(chat_ids) > MAX_CHAT_IDS:
            return err(40058, "chat_id_list holds at most 2000 groups")
        for chat_id in chat_ids:
            chat = self.customer_groups.get(chat_id)
            if chat is None:
                return err(UNKNOWN_CHAT, f"invalid chatid {chat_id}")
            if chat["owner"] != sender:
                return err(NOT_GROUP_OWNER, f"sender {sender} is not the owner of {chat_id}")
        msgid = "msg" + uuid.uuid4().hex[:24]
        self.group_send_tasks[msgid] = {"sender": sender, "chat_ids": list(chat_ids), "body": copy.deepcopy(body),
                                        "created_at": self.now(), "confirmed_at": None,
                                        "status": {c: 0 for c in chat_ids}}
        return err(0, "ok", fail_list=[], msgid=msgid)

    def _attachment_problem(self, a: dict) -> dict | None:
        kind = a.get("msgtype")
        if kind != "image":
            return None if kind in ("link", "miniprogram", "video", "file") else err(40008, "invalid attachment type")
        media = self._media.get((a.get("image") or {}).get("media_id") or "")
        if media is None or media["type"] != "image":
            return err(40007, "invalid media_id")
        if self.now() - media.get("created", self.now()) > MEDIA_DAYS * 86400:
            return err(40007, "invalid media_id (expired: temporary media are kept 3 days)")
        return None

    def _groupmsg_task(self, req: Request) -> dict:
        if problem := self._token_error(req):
            return problem
        body = self._json(req) or {}
        task = self.group_send_tasks.get(body.get("msgid") or "")
        if task is None:
            return err(UNKNOWN_MSGID, "invalid msgid")
        sent = task["confirmed_at"] is not None
        return err(0, "ok", next_cursor="", task_list=[
            {"userid": task["sender"], "status": 1 if sent else 0, "send_time": int(task["confirmed_at"] or 0)}])

    def _groupmsg_send_result(self, req: Request) -> dict:
        if problem := self._token_error(req):
            return problem
        body = self._json(req) or {}
        task = self.group_send_tasks.get(body.get("msgid") or "")
        if task is None:
            return err(UNKNOWN_MSGID, "invalid msgid")
        if body.get("userid") and body["userid"] != task["sender"]:
            return err(0, "ok", next_cursor="", send_list=[])
        when = int(task["confirmed_at"] or 0)
        return err(0, "ok", next_cursor="", send_list=[
            {"chat_id": c, "userid": task["sender"], "status": s, **({"send_time": when} if s == 1 else {})}
            for c, s in task["status"].items()])

