"""Zalo OA rendering (no network): templates up to MAX_BUTTONS, numbered text beyond, links and hotline,
pictures as attachments, text split at 2,000 characters."""

from __future__ import annotations

from bot.channels.zalo_oa_render import BUTTON_PREFIX, MAX_BUTTONS, render
from bot.messages import Button, Document, Reply


def choices(n: int) -> tuple[tuple[Button, ...], ...]:
    return tuple((Button(f"Lựa chọn {i}", f"p:{i}"),) for i in range(1, n + 1))


def test_up_to_five_choices_are_one_template_of_numbered_hidden_query_buttons() -> None:
    assert MAX_BUTTONS == 5
    [message] = render(Reply("Bạn muốn học gì?", buttons=choices(5)))
    payload = message["attachment"]["payload"]
    assert payload["template_type"] == "button" and payload["text"] == "Bạn muốn học gì?"
    assert [b["title"] for b in payload["buttons"]] == [f"{i}. Lựa chọn {i}" for i in range(1, 6)]
    assert {b["type"] for b in payload["buttons"]} == {"oa.query.hide"}
    assert [b["payload"] for b in payload["buttons"]] == [f"{BUTTON_PREFIX}p:{i}" for i in range(1, 6)]


def test_more_than_five_choices_fall_back_to_numbered_text() -> None:
    [message] = render(Reply("Chọn xã của bạn:", buttons=choices(6)))
    assert "attachment" not in message
    assert message["text"].startswith("Chọn xã của bạn:\n\n1. Lựa chọn 1\n")
    assert "6. Lựa chọn 6" in message["text"]


def test_links_and_the_hotline_open_in_zalo() -> None:
    [message] = render(Reply("Cần giúp?", buttons=((Button("Cổng dịch vụ công", "https://dichvucong.gov.vn"),
                                                   Button("Gọi tổ công nghệ số", "tel:0912345678")),)))
    first, second = message["attachment"]["payload"]["buttons"]
    assert first["type"] == "oa.open.url" and first["payload"] == {"url": "https://dichvucong.gov.vn"}
    assert second["type"] == "oa.open.phone" and second["payload"] == {"phone_code": "0912345678"}


def test_long_text_is_split_and_the_buttons_ride_on_the_last_part() -> None:
    text = "\n\n".join("Bước: mở ứng dụng VNeID và làm theo hướng dẫn. " * 15 for _ in range(6))
    messages = render(Reply(text, buttons=choices(2)))
    assert len(messages) >= 3
    assert all(len(m.get("text") or m["attachment"]["payload"]["text"]) <= 2000 for m in messages)
    assert "attachment" in messages[-1] and all("attachment" not in m for m in messages[:-1])


def test_a_picture_is_an_image_attachment_and_a_file_a_note() -> None:
    messages = render(Reply("Bước 1", image="/srv/content/media/vneid-1.png"), "https://xa.example.vn/media")
    assert messages[0]["attachment"]["payload"] == {
        "template_type": "media", "elements": [{"media_type": "image", "url": "https://xa.example.vn/media/vneid-1.png"}]
    }
    [note] = render(Reply("Báo cáo tháng", document=Document("bao-cao.xlsx", b"x")))
    assert "bao-cao.xlsx" in note["text"] and "trang quản lý" in note["text"]
