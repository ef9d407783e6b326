"""Button payloads: every kind round-trips, fits Telegram's 64 bytes, and a forged or malformed payload
for any registered prefix is answered like a stale button, never with an exception."""

from __future__ import annotations

import logging

import pytest

import bot.engine.flows  # noqa: F401  (registers every flow)
from bot import callbacks as cb
from bot.engine import texts
from bot.engine.router import router
from bot.messages import Incoming, Kind
from tests.support.chat import Chat


def _kinds() -> list[type[cb.Callback]]:
    return [kind for kind, _ in router.buttons.values()]


def _valid_args(kind: type[cb.Callback]) -> list[str]:
    return ["123456789012" if t is int else "ha-long-thon-1" for _, t in kind.fields()]


def _forged(kind: type[cb.Callback]) -> list[str]:
    """Payloads with the kind's prefix that must not parse."""
    good = _valid_args(kind)
    out = [":".join([kind.prefix, *good, "7"])]  # one part too many
    if good:
        out.append(":".join([kind.prefix, *good[:-1]]) if len(good) > 1 else kind.prefix + ":a:b")
    for i, (_, t) in enumerate(kind.fields()):
        bad_values = ["9" * 20, "-1", "12x", "", "²", "1" * 13] if t is int else ["a b", "é", "x" * 49, "../etc"]
        for bad in bad_values:
            args = list(good)
            args[i] = bad
            out.append(":".join([kind.prefix, *args]))
    return out


def test_every_button_kind_is_registered_once_and_round_trips() -> None:
    kinds = _kinds()
    assert len(kinds) >= 40
    assert len({k.prefix for k in kinds}) == len(kinds)
    for kind in kinds:
        values = {name: (10**12 - 1 if t is int else "x" * 20) for name, t in kind.fields()}
        packed = kind(**values).pack()
        assert len(packed.encode()) <= cb.MAX_PAYLOAD_BYTES
        found = router.resolve_button(packed)
        assert found is not None and found[1] == kind(**values), packed


def test_wire_format_is_unchanged() -> None:
    assert cb.ClassUnregister(42).pack() == "cls:unreg:42"
    assert cb.TogglePresent(3, 17).pack() == "tm:ap:3:17"
    assert cb.Stats("").pack() == "tk:"
    assert cb.WebLogin().pack() == "dn:"
    assert cb.MenuMain().pack() == "m:menu"
    assert cb.Answer(0, 2).pack() == "q:0:2"
    assert router.resolve_button("tm:vdone") is not None
    assert router.resolve_button("tm:v:3") is not None


def test_a_payload_over_64_bytes_cannot_be_built() -> None:
    with pytest.raises(AssertionError):
        cb.PickCommune("a" * 48 + "b" * 20).pack()


async def test_forged_payloads_for_every_prefix_get_the_stale_answer(
    chat: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    await chat.onboard("f1")
    caplog.set_level(logging.WARNING)
    forged = [p for kind in _kinds() for p in _forged(kind)] + ["zz:forged", "cls:reg:" + "9" * 20, "tm", "m", ""]
    assert len(forged) > 150
    for user in ("f1", "not-consented"):
        for n, payload in enumerate(forged):
            incoming = Incoming("console", user, Kind.BUTTON, payload=payload, update_id=f"{user}-{n}")
            replies = await chat.send(incoming)
            assert [r.text for r in replies] == [texts.STALE_BUTTON], payload
            assert [b.label for r in replies for b in r.all_buttons()] == [texts.BTN_MENU], payload
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
