"""Channel-neutral `Reply` -> the `message` objects of Zalo OA consultation messages (v3 /message/cs).

- Text is split at 2,000 characters (Zalo's -210 limit), on paragraph, line, then word breaks.
- Choices: a template message whose buttons are `oa.query.hide` carrying `BUTTON_PREFIX + payload`
  (tapping sends that string back as the user's `user_send_text`, not shown in the chat; the adapter
  turns it into a button press, and the engine checks it like any payload). A link button
  (`messages.link_button`) becomes `oa.open.url` (`{"url"}`), a phone button `oa.open.phone`
  (`{"phone_code"}`), titled without a number and placed after the choices. The template carries the
  last text chunk.
- At most `MAX_BUTTONS` buttons per template. Zalo does not publish the maximum (unconfirmed); we chose
  5, the most seen in captured OA messages. With more choices the numbered text of the Zalo Bot
  channel is sent instead ("Gõ 1, 2 hoặc 3 để chọn."), and typed numbers work as everywhere; the link
  buttons then go alone in the template (written out as text only if they alone exceed the maximum).
  The template shape `{"type": "template", "payload": {"template_type": "button", "text", "buttons"}}`
  is our reading of ZALO.md (its template_type is unconfirmed).
- A picture is an image attachment (`template_type: media`, `media_type: image`, public URL under
  `media_base_url`); an in-memory image (a chart) cannot be uploaded: a note points to the dashboard.
- A file goes out as a one-time download link (`file_url`, made by the channel's `publish_file`: the
  web app's /tep/<token>) on a «⬇ Tải tệp» `oa.open.url` button, with a note; without one, a note.
- A voice message: ZALO.md documents no audio attachment for consultation messages, so the synthesized
  voice is an «🔊 Nghe đọc to» `oa.open.url` button to its `.aac` under the web app's /media/voice/
  (the phone's browser plays it). It rides on the reply's template: no extra message (quota: 8 per window).
"""

from __future__ import annotations

from typing import Any

from bot.channels.zalo_render import CHART_NOTE, DOCUMENT_NOTE, choices_block, media_url, split_text, voice_url
from bot.messages import Button, Reply, link_button, link_lines, numbered

TEXT_LIMIT = 2000
MAX_BUTTONS = 5
BUTTON_PREFIX = "#hv:"  # marks a tapped button's text; anything else is typed text
TITLE_LIMIT = 100


def oa_button(button: Button) -> dict[str, Any]:
    if button.url is not None:
        return {"title": button.label[:TITLE_LIMIT], "type": "oa.open.url", "payload": {"url": button.url}}
    if button.phone is not None:
        return {"title": button.label[:TITLE_LIMIT], "type": "oa.open.phone", "payload": {"phone_code": button.phone}}
    title = (f"{button.number}. {button.label}" if button.number is not None else button.label)[:TITLE_LIMIT]
    return {"title": title, "type": "oa.query.hide", "payload": BUTTON_PREFIX + button.payload}


def template(text: str, buttons: list[Button]) -> dict[str, Any]:
    """Choices (numbered, in numbered order) then link/phone buttons."""
    shown = numbered(buttons) + [b for b in buttons if b.is_link]
    return {
        "attachment": {
            "type": "template",
            "payload": {"template_type": "button", "text": text, "buttons": [oa_button(b) for b in shown]},
        }
    }


def image(url: str) -> dict[str, Any]:
    return {
        "attachment": {
            "type": "template",
            "payload": {"template_type": "media", "elements": [{"media_type": "image", "url": url}]},
        }
    }


FILE_NOTE = "📄 Tệp «{filename}»: bấm «{button}» để tải về (liên kết dùng một lần, trong 24 giờ)."
FILE_BUTTON = "⬇ Tải tệp"
VOICE_BUTTON = "🔊 Nghe đọc to"


def render(reply: Reply, media_base_url: str | None = None, file_url: str | None = None) -> list[dict[str, Any]]:
    """The `message` objects that show `reply`, in order. `file_url`: the one-time link to the reply's
    document (the OA sends no files); without one, a note says where else to get it."""
    body = reply.text.strip()
    notes = []
    extra: list[Button] = []
    if reply.image_bytes is not None:
        notes.append(CHART_NOTE)
    if reply.document is not None and file_url:
        notes.append(FILE_NOTE.format(filename=reply.document.filename, button=FILE_BUTTON))
        extra.append(link_button(FILE_BUTTON, file_url))
    elif reply.document is not None:
        notes.append(DOCUMENT_NOTE.format(filename=reply.document.filename))
    if reply.voice and media_base_url:  # the OA API sends no audio: a link to the web app's .aac
        extra.append(link_button(VOICE_BUTTON, voice_url(media_base_url, reply.voice)))
    plain = [b for b in reply.all_buttons() + extra if b.url is not None and not b.url.startswith("https://")]
    if plain:  # Zalo opens only https links from a button: an http one (a test setup) is written out
        notes.extend(link_lines(Reply("", buttons=(tuple(plain),)), body))
    body = "\n\n".join(part for part in [body, *notes] if part)
    buttons = [b for b in reply.all_buttons() + extra if b not in plain]
    choices = [b for b in buttons if not b.is_link]
    links = [b for b in buttons if b.is_link]
    if len(buttons) > MAX_BUTTONS:  # the choices become numbered text; links stay buttons if they fit
        if len(links) > MAX_BUTTONS:
            written = link_lines(Reply("", buttons=(tuple(links),)), body)
            body = "\n\n".join(part for part in [body, "\n".join(written)] if part)
            links = []
        if choices:
            body = f"{body}\n\n{choices_block(choices)}" if body else choices_block(choices)
        buttons = links
    as_template = bool(buttons)
    chunks = split_text(body, TEXT_LIMIT) if body else []
    messages: list[dict[str, Any]] = []
    if reply.image and media_base_url:
        messages.append(image(media_url(media_base_url, reply.image)))
    if as_template:
        last = chunks.pop() if chunks else "Mời bạn chọn:"
        messages.extend({"text": chunk} for chunk in chunks)
        messages.append(template(last, buttons))
    else:
        messages.extend({"text": chunk} for chunk in chunks)
    return messages
