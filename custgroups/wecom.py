"""The WeCom customer-contact calls this feature makes, through the app's `WeComClient` (token
handling and errcode -> ChannelError live there). Shapes follow developer.work.weixin.qq.com:
groupchat/list (93414: owner_filter, cursor, limit <= 1000), groupchat/get (92122),
add_msg_template (92135: chat_type group, sender, chat_id_list, attachments <= 9),
get_groupmsg_task / get_groupmsg_send_result (93338: paged with cursor)."""

from __future__ import annotations

from collections.abc import Iterator

from notify.wecom_api import WeComClient

LIST_PAGE = 1000  # groupchat/list: limit 1 ~ 1000
RESULT_PAGE = 1000  # get_groupmsg_*: limit up to 1000
MAX_PAGES = 200  # a guard against a cursor that never ends


def _pages(client: WeComClient, path: str, body: dict, items: str) -> Iterator[dict]:
    cursor = ""
    for _ in range(MAX_PAGES):
        answer = client.call("POST", path, json={**body, **({"cursor": cursor} if cursor else {})})
        yield from answer.get(items) or []
        cursor = answer.get("next_cursor") or ""
        if not cursor:
            return


def owner_group_ids(client: WeComClient, userid: str) -> list[str]:
    """Chat ids of every customer group `userid` owns (all follow statuses)."""
    body = {"status_filter": 0, "owner_filter": {"userid_list": [userid]}, "limit": LIST_PAGE}
    return [g["chat_id"] for g in _pages(client, "/cgi-bin/externalcontact/groupchat/list", body, "group_chat_list")]


def group_detail(client: WeComClient, chat_id: str) -> dict:
    """groupchat/get's `group_chat`: chat_id, name, owner, member_list, …"""
    answer = client.call("POST", "/cgi-bin/externalcontact/groupchat/get", json={"chat_id": chat_id, "need_name": 0})
    return answer.get("group_chat") or {}


def create_group_send(client: WeComClient, *, sender: str, chat_ids: list[str], media_id: str,
                      text: str = "") -> dict:
    """add_msg_template to customer groups; the answer carries `msgid` (and `fail_list`)."""
    body = {"chat_type": "group", "sender": sender, "chat_id_list": list(chat_ids), "allow_select": False,
            "attachments": [{"msgtype": "image", "image": {"media_id": media_id}}]}
    if text:
        body["text"] = {"content": text}
    return client.call("POST", "/cgi-bin/externalcontact/add_msg_template", json=body)


def task_list(client: WeComClient, msgid: str) -> list[dict]:
    """get_groupmsg_task: per member {userid, status 0 not sent / 1 sent, send_time}."""
    return list(_pages(client, "/cgi-bin/externalcontact/get_groupmsg_task",
                       {"msgid": msgid, "limit": RESULT_PAGE}, "task_list"))


def send_results(client: WeComClient, msgid: str, userid: str) -> list[dict]:
    """get_groupmsg_send_result: per group {chat_id, userid, status 0-3, send_time}."""
    return list(_pages(client, "/cgi-bin/externalcontact/get_groupmsg_send_result",
                       {"msgid": msgid, "userid": userid, "limit": RESULT_PAGE}, "send_list"))


def upload_image(client: WeComClient, filename: str, data: bytes) -> tuple[str, int | None]:
    """media/upload?type=image -> (media_id, WeCom's created_at unix seconds or None)."""
    answer = client.call("POST", "/cgi-bin/media/upload", params={"type": "image"}, files={"media": (filename, data)})
    created = answer.get("created_at")
    return answer["media_id"], int(created) if str(created or "").isdigit() else None
