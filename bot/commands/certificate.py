"""`hocvuso certificate check CODE`: is this completion certificate real? Prints what it certifies."""

from __future__ import annotations

import argparse
from typing import Any

from bot.config import Settings
from bot.content.loader import load_catalog
from bot.content.places import load_places
from bot.db.migrate import upgrade_head
from bot.db.session import create_engine, create_sessionmaker
from bot.services import certificates


def add_parser(sub: Any) -> None:
    p = sub.add_parser("certificate", help="check a completion certificate's verification code")
    p.add_argument("action", choices=["check"])
    p.add_argument("code", help="the code printed on the certificate, e.g. HV7K-3PQ9 (case and spaces ignored)")
    p.set_defaults(func=run)


def describe(found: certificates.Checked, settings: Settings) -> str:
    day = found.issued_at.astimezone(settings.tz).strftime("%d/%m/%Y")
    lessons = "\n".join(f"  {n}. {title}" for n, title in enumerate(found.lessons, start=1))
    return (
        f"HỢP LỆ: giấy ghi nhận mã {found.code}\n"
        f"Họ tên: {found.name}\nNơi ở: {found.place}\nNgày cấp: {day}\n"
        f"Đã học xong {len(found.lessons)} bài kỹ năng số cơ bản:\n{lessons}"
    )


async def run(args: argparse.Namespace, settings: Settings) -> int:
    if certificates.normalize_code(args.code) is None:
        print(f"KHÔNG HỢP LỆ: «{args.code[:40]}» không phải mã giấy ghi nhận (8 chữ và số, ví dụ HV7K-3PQ9).")
        return 1
    catalog, places = load_catalog(settings.lessons_dir), load_places(settings.places_file)
    engine = create_engine(settings.database_url)
    try:
        await upgrade_head(engine)
        async with create_sessionmaker(engine)() as session:
            found = await certificates.check(session, args.code, catalog, places)
    finally:
        await engine.dispose()
    if found is None:
        print(f"KHÔNG HỢP LỆ: không có giấy ghi nhận nào mang mã {certificates.normalize_code(args.code)}.")
        return 1
    print(describe(found, settings))
    return 0
