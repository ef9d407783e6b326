"""Link and phone buttons: lessons (VNeID, dichvucong), the commune hotline and the dashboard login link open
in one tap on the Zalo OA (oa.open.url / oa.open.phone) and Telegram (URL buttons; no tel: buttons, so the
number is written); on the Zalo Bot and the console the link or number is written out, without a number
to type, and typed numbers keep meaning the same choices."""

from __future__ import annotations

from bot.channels import console, zalo_oa_render, zalo_render
from bot.channels.telegram_convert import keyboard, reply_text
from bot.content.places import Places
from bot.messages import Button, Reply, link_button, phone_button
from bot.runtime import Runtime
from tests.support.chat import Chat

HOTLINE = "0237 3123 456"


def linked_reply() -> Reply:
    return Reply(
        "Bạn muốn làm gì?",
        buttons=(
            (Button("Tiếp ▶", "p:next", 1),),
            (link_button("🔗 Mở dichvucong.gov.vn", "https://dichvucong.gov.vn"),
             phone_button("📞 Đường dây nóng của xã", HOTLINE)),
            (Button("☰ Menu", "p:menu", 0),),
        ),
    )


def test_on_the_oa_links_open_a_site_and_dial_after_the_numbered_choices() -> None:
    [message] = zalo_oa_render.render(linked_reply())
    buttons = message["attachment"]["payload"]["buttons"]
    assert [(b["title"], b["type"]) for b in buttons] == [
        ("1. Tiếp ▶", "oa.query.hide"), ("0. ☰ Menu", "oa.query.hide"),
        ("🔗 Mở dichvucong.gov.vn", "oa.open.url"), ("📞 Đường dây nóng của xã", "oa.open.phone"),
    ]
    assert buttons[2]["payload"] == {"url": "https://dichvucong.gov.vn"}
    assert buttons[3]["payload"] == {"phone_code": "02373123456"}


def test_on_the_oa_many_choices_become_text_and_the_links_stay_buttons() -> None:
    many = tuple((Button(f"Xã {i}", f"p:{i}"),) for i in range(1, 7))
    reply = Reply("Chọn xã:", buttons=(*many, (link_button("🔗 Trang VNeID", "https://vneid.gov.vn"),)))
    [message] = zalo_oa_render.render(reply)
    payload = message["attachment"]["payload"]
    assert "1. Xã 1" in payload["text"] and "6. Xã 6" in payload["text"]
    assert payload["buttons"] == [{"title": "🔗 Trang VNeID", "type": "oa.open.url",
                                   "payload": {"url": "https://vneid.gov.vn"}}]


def test_on_telegram_a_link_is_an_url_button_and_the_hotline_is_written() -> None:
    reply = linked_reply()
    markup = keyboard(reply)
    assert markup is not None
    flat = [b for row in markup.inline_keyboard for b in row]
    assert [(b.text, b.url, b.callback_data) for b in flat] == [
        ("Tiếp ▶", None, "p:next"), ("🔗 Mở dichvucong.gov.vn", "https://dichvucong.gov.vn", None),
        ("☰ Menu", None, "p:menu"),
    ]
    assert reply_text(reply).endswith("📞 Đường dây nóng của xã: 02373123456")
    local = Reply("Đăng nhập:", buttons=((link_button("🌐 Mở trang", "http://127.0.0.1:8080/dangnhap/x"),),))
    assert keyboard(local) is None  # Telegram refuses a local http address on a button
    assert reply_text(local).endswith("🔗 🌐 Mở trang: http://127.0.0.1:8080/dangnhap/x")


def test_on_the_zalo_bot_and_console_links_are_written_out_without_a_number() -> None:
    [call] = zalo_render.render(linked_reply())
    assert "🔗 Mở dichvucong.gov.vn: https://dichvucong.gov.vn" in call.text
    assert "📞 Đường dây nóng của xã: 02373123456" in call.text
    assert call.text.endswith("1. Tiếp ▶\n0. ☰ Menu\nGõ 1 hoặc 0 để chọn.")
    shown = console.render(linked_reply())
    assert "🔗 Mở dichvucong.gov.vn: https://dichvucong.gov.vn" in shown and "[1] Tiếp ▶" in shown
    assert "[2]" not in shown  # the links take no number


def test_a_link_already_in_the_text_is_not_repeated() -> None:
    reply = Reply("Vào https://dichvucong.gov.vn nhé.", buttons=((link_button("Mở", "https://dichvucong.gov.vn"),),))
    [call] = zalo_render.render(reply)
    assert call.text.count("https://dichvucong.gov.vn") == 1


def with_hotline(runtime: Runtime, commune_id: str, hotline: str) -> None:
    places = runtime.app_ctx.places
    communes = [c.model_copy(update={"hotline": hotline}) if c.id == commune_id else c
                for c in places.communes.values()]
    runtime.app_ctx.places = Places.from_communes(communes, places.demo)


async def test_lesson_steps_carry_their_links_and_the_commune_hotline(runtime: Runtime, chat: Chat) -> None:
    with_hotline(runtime, "ha-long", HOTLINE)
    await chat.onboard("ba")
    [*_, step] = await chat.say("ba", "dịch vụ công quốc gia")
    if "Bước 1/" not in step.text:  # search results: open the lesson
        await chat.tap("ba", "Dịch vụ công")
        step = chat.last["ba"][-1]
    assert [(b.label, b.url) for b in step.links()] == [("🔗 Mở dichvucong.gov.vn", "https://dichvucong.gov.vn")]
    numbers = [b.number for b in step.numbered()]
    assert 1 in numbers and 0 in numbers  # «Tiếp ▶» and «Menu» keep their numbers
    await chat.say("ba", "1")  # typing 1 is still «Tiếp ▶»
    assert "Bước 2/" in chat.last["ba"][-1].text

    help_reply = (await chat.say("ba", "/help"))[-1]
    assert [(b.label, b.phone) for b in help_reply.links()] == [("📞 Gọi đường dây nóng của xã", "02373123456")]
    await chat.onboard("ong", commune="Bạch Ngọc", village="Xóm 1")  # a commune without a hotline
    assert not (await chat.say("ong", "/help"))[-1].links()


async def test_the_dashboard_login_link_is_a_link_button(runtime: Runtime, chat: Chat) -> None:
    from tests.support.browser import official

    await official(runtime, chat, "can-bo", "ha-long")
    reply = (await chat.say("can-bo", "/dangnhap"))[-1]
    [login] = reply.links()
    assert login.url is not None and "/dangnhap/" in login.url and login.url in reply.text
