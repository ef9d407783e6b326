"""Zalo rendering, splitting, update parsing and response parsing (no network)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.zalo_errors import (
    ZaloBadRequest,
    ZaloBlocked,
    ZaloPollTimeout,
    ZaloQuotaExceeded,
    ZaloServerError,
    ZaloUnauthorized,
    parse_response,
)
from bot.channels.zalo_render import choice_hint, media_url, render, split_text
from bot.channels.zalo_updates import extract_updates, to_incoming
from bot.messages import Button, Document, Kind, Reply
from tests.fakes.zalo_server import make_update


def buttons(*labels: str) -> tuple[tuple[Button, ...], ...]:
    return tuple((Button(label, f"p{i}"),) for i, label in enumerate(labels))


def test_buttons_become_numbered_lines_with_hint() -> None:
    calls = render(Reply(text="Bạn đã có VNeID chưa?", buttons=buttons("Có rồi", "Chưa có", "Không biết")))
    assert [c.method for c in calls] == ["sendMessage"]
    assert calls[0].text == (
        "Bạn đã có VNeID chưa?\n\n1. Có rồi\n2. Chưa có\n3. Không biết\nGõ 1, 2 hoặc 3 để chọn."
    )


@pytest.mark.parametrize(
    ("count", "hint"),
    [
        (1, "Gõ 1 để chọn."),
        (2, "Gõ 1 hoặc 2 để chọn."),
        (3, "Gõ 1, 2 hoặc 3 để chọn."),
        (7, "Gõ số 1 đến 7 để chọn."),
    ],
)
def test_hint_fits_the_number_of_choices(count: int, hint: str) -> None:
    assert choice_hint(count) == hint


def test_buttons_in_several_rows_are_numbered_in_reading_order() -> None:
    rows = ((Button("A", "a"), Button("B", "b")), (Button("C", "c"),))
    text = render(Reply(text="Chọn", buttons=rows))[0].text
    assert "1. A\n2. B\n3. C" in text


def test_long_text_is_split_on_paragraphs_and_choices_stay_last() -> None:
    paragraphs = [f"Đoạn {i}: " + "chữ " * 120 for i in range(12)]  # ~6000 characters
    reply = Reply(text="\n\n".join(paragraphs), buttons=buttons("Tiếp", "Dừng"))
    calls = render(reply)
    assert len(calls) >= 3
    assert all(1 <= len(c.text) <= 2000 for c in calls)
    assert all("Gõ 1 hoặc 2" not in c.text for c in calls[:-1])
    assert calls[-1].text.endswith("1. Tiếp\n2. Dừng\nGõ 1 hoặc 2 để chọn.")
    for chunk in calls:  # no paragraph is cut in the middle
        for line in chunk.text.split("\n\n"):
            assert line.startswith("Đoạn ") or line.startswith(("1. ", "2. ", "Gõ"))
    joined = " ".join(c.text for c in calls)
    assert all(f"Đoạn {i}:" in joined for i in range(12))


def test_choices_go_to_their_own_message_when_the_last_chunk_is_full() -> None:
    text = "x" * 1990
    calls = render(Reply(text=text, buttons=buttons("Có", "Không")))
    assert [c.text for c in calls] == [text, "1. Có\n2. Không\nGõ 1 hoặc 2 để chọn."]


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("aăâbcdđ ệ\n\nữ.")), min_size=0, max_size=7000),
    st.integers(min_value=20, max_value=2000),
)
def test_split_never_exceeds_the_limit_and_keeps_every_word(text: str, limit: int) -> None:
    chunks = split_text(text, limit)
    assert all(1 <= len(c) <= limit for c in chunks)
    assert "".join(text.split()) == "".join("".join(chunks).split())


def test_image_is_sent_by_public_url_with_the_text_as_caption() -> None:
    reply = Reply(text="Bước 1: mở ứng dụng VNeID.", image="/srv/app/content/media/vneid-1.png")
    calls = render(reply, "https://hocvuso.example.vn/media/")
    assert len(calls) == 1
    assert calls[0].payload("42") == {
        "chat_id": "42",
        "photo": "https://hocvuso.example.vn/media/vneid-1.png",
        "caption": "Bước 1: mở ứng dụng VNeID.",
    }


def test_media_url_keeps_subfolders_and_quotes_spaces() -> None:
    assert (
        media_url("https://x.vn/media", "content/media/qr/buoc 2.png") == "https://x.vn/media/qr/buoc%202.png"
    )


def test_image_without_public_base_url_sends_only_the_text() -> None:
    calls = render(Reply(text="Bước 1", image="content/media/a.png"), None)
    assert [(c.method, c.text) for c in calls] == [("sendMessage", "Bước 1")]


def test_chart_and_document_become_a_note_pointing_to_the_web() -> None:
    reply = Reply(
        text="Báo cáo tháng 6",
        image_bytes=b"\x89PNG",
        document=Document("bao-cao-thang-6.xlsx", b"data"),
        buttons=buttons("Xong"),
    )
    calls = render(reply)
    assert len(calls) == 1 and calls[0].method == "sendMessage"
    text = calls[0].text
    assert text.startswith("Báo cáo tháng 6\n\n📊 Biểu đồ không gửi được qua Zalo")
    assert "«bao-cao-thang-6.xlsx»" in text and "trang quản lý (web)" in text
    assert text.endswith("1. Xong\nGõ 1 để chọn.")


def test_empty_reply_sends_nothing() -> None:
    assert render(Reply(text="  ")) == []


def test_text_update_becomes_incoming_with_dedup_key() -> None:
    update = make_update("u1", "cai vneid", message_id="m-9", display_name="Bà Lan", chat_id="c1")
    incoming = to_incoming(extract_updates({"ok": True, "result": update})[0])
    assert incoming is not None
    assert (incoming.channel, incoming.user_id, incoming.chat_id, incoming.kind, incoming.text) == (
        "zalo",
        "u1",
        "c1",
        Kind.TEXT,
        "cai vneid",
    )
    assert incoming.display_name == "Bà Lan"
    assert incoming.update_id == "c1:m-9"


@pytest.mark.parametrize(
    ("update", "kind", "text"),
    [
        (make_update("u", photo="https://f.zdn.vn/a.jpg", caption="ảnh"), Kind.MEDIA, "ảnh"),
        (make_update("u", photo="https://f.zdn.vn/b.jpg", photo_key="photo"), Kind.MEDIA, None),
        (make_update("u", sticker="abc"), Kind.MEDIA, None),
        (make_update("u", voice="https://voice.zdn.vn/v1.aac"), Kind.VOICE, None),
        (make_update("u", event="message.unsupported.received"), Kind.OTHER, None),
    ],
)
def test_non_text_updates(update: dict, kind: Kind, text: str | None) -> None:
    incoming = to_incoming(update)
    assert incoming is not None and incoming.kind == kind and incoming.text == text


@pytest.mark.parametrize("key", ["photo_url", "photo"])
def test_a_photo_is_found_under_either_key(key: str) -> None:
    incoming = to_incoming(make_update("u", photo="https://f.zdn.vn/a.jpg", photo_key=key))
    assert incoming is not None and incoming.media_ref == "https://f.zdn.vn/a.jpg"


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        ({"photo_url": "https://f.zdn.vn/a.jpg"}, Kind.MEDIA),
        ({"url": "https://zalo-api.zadn.vn/sticker.webp"}, Kind.MEDIA),
        ({"voice_url": "https://voice.zdn.vn/v.aac"}, Kind.VOICE),
        ({}, Kind.OTHER),
    ],
)
def test_event_is_inferred_from_the_fields_when_the_name_is_missing(fields: dict, kind: Kind) -> None:
    message = {"message_id": "m", "from": {"id": "u"}, "chat": {"id": "u", "chat_type": "PRIVATE"}, **fields}
    incoming = to_incoming({"message": message})
    assert incoming is not None and incoming.kind == kind


def test_a_voice_message_is_not_taken_for_a_photo() -> None:
    incoming = to_incoming(make_update("u", voice="https://voice.zdn.vn/v1.aac"))
    assert incoming is not None and incoming.media_ref is None


def test_update_without_event_name_as_in_the_docs_sample() -> None:
    body = {
        "ok": True,
        "result": {
            "message": {
                "chat": {"id": "e4ea", "chat_type": "PRIVATE"},
                "text": "Xin chào",
                "message_id": "16f6",
                "date": 1766619597466,
                "from": {"id": "e4ea", "first_name": "Nguyen Van A"},
            }
        },
    }
    incoming = to_incoming(extract_updates(body)[0])
    assert incoming is not None
    assert (incoming.kind, incoming.text, incoming.display_name, incoming.update_id) == (
        Kind.TEXT,
        "Xin chào",
        "Nguyen Van A",
        "e4ea:16f6",
    )


def test_bot_messages_and_empty_results_are_ignored() -> None:
    update = make_update("u", "hi")
    update["message"]["from"]["is_bot"] = True
    assert to_incoming(update) is None
    assert extract_updates({"ok": True, "result": None}) == []
    assert len(extract_updates({"ok": True, "result": [make_update("a", "1"), make_update("b", "2")]})) == 2


def test_response_shapes() -> None:
    assert parse_response("sendMessage", 200, '{"ok": true, "result": {"message_id": "x"}}') == {
        "message_id": "x"
    }
    assert parse_response("getMe", 200, '{"error": 0, "message": "Success", "data": {"id": "1"}}') == {
        "id": "1"
    }
    with pytest.raises(ZaloPollTimeout):
        parse_response("getUpdates", 200, '{"ok": false, "error_code": 408, "description": "timeout"}')
    with pytest.raises(ZaloPollTimeout):
        parse_response("getUpdates", 408, '{"ok": false, "error_code": 408}')
    with pytest.raises(ZaloServerError):
        parse_response("sendMessage", 408, '{"ok": false, "error_code": 408}')
    with pytest.raises(ZaloPollTimeout):  # as measured: HTTP 408, no error_code in the body
        parse_response("getUpdates", 408, '{"ok": false, "description": "Request timeout"}')
    with pytest.raises(ZaloQuotaExceeded) as limited:
        parse_response(
            "sendMessage",
            429,
            '{"ok": false, "error_code": 429, "description": "Quota exceeded"}',
            {"Retry-After": "3"},
        )
    assert limited.value.retry_after == 3.0
    with pytest.raises(ZaloServerError):
        parse_response("sendMessage", 502, "<html>Bad gateway</html>")
    with pytest.raises(ZaloBlocked):
        parse_response(
            "sendMessage", 200, '{"error": -201, "message": "User has blocked the bot", "data": null}'
        )
    # 403 is "Internal server error" in Zalo's table: transient, never "blocked".
    for body in ('{"ok": false, "error_code": 403, "description": "Internal server error"}',
                 '{"ok": false, "error_code": 403, "description": "Forbidden"}'):
        with pytest.raises(ZaloServerError):
            parse_response("sendMessage", 403, body)
    with pytest.raises(ZaloUnauthorized):
        parse_response("getMe", 401, '{"ok": false, "error_code": 401, "description": "Unauthorized"}')
    with pytest.raises(ZaloBadRequest):
        parse_response("sendMessage", 400, '{"ok": false, "error_code": 400, "description": "text too long"}')
