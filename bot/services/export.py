"""The person's own data as a file (Decree 13/2023/NĐ-CP, art. 9: the right to obtain one's data).

One JSON document, UTF-8, keys in plain Vietnamese without diacritics so any program can read it;
times in ISO 8601 with the commune's time zone. It holds every row linked to the person: the account,
lesson progress, quiz attempts, class registrations and attendance, the record of a team member who
guided her without a phone (once linked to her), and, for team members, the
classes and announcements they wrote and the invite codes they redeemed.
"""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.loader import Catalog
from bot.content.places import Places
from bot.db.models import User
from bot.db.repositories import certificates as certificates_repo
from bot.db.repositories import personal
from bot.db.repositories import progress as progress_repo
from bot.messages import Document
from bot.services import guided_claims

FILENAME = "du-lieu-cua-toi.json"
MIME = "application/json"


def _time(value: datetime | None, tz: tzinfo) -> str | None:
    return value.astimezone(tz).isoformat(timespec="seconds") if value is not None else None


async def export(
    session: AsyncSession, user: User, places: Places, catalog: Catalog, tz: tzinfo, now: datetime
) -> dict[str, Any]:
    """Everything stored about `user`, as plain JSON values."""

    def title(lesson_id: str | None) -> str | None:
        lesson = catalog.lessons.get(lesson_id or "")
        return lesson.title if lesson is not None else lesson_id

    def klass(k: Any) -> dict[str, Any]:
        return {"lop": k.title, "bat_dau": _time(k.starts_at, tz), "dia_diem": k.place}

    return {
        "mo_ta": "Toàn bộ dữ liệu chương trình Bình dân học vụ số lưu về bạn (Nghị định 13/2023/NĐ-CP).",
        "ngay_xuat": _time(now, tz),
        "nguoi_dung": {
            "kenh": user.channel,
            "ma_tai_khoan": user.platform_id,
            "ma_cuoc_tro_chuyen": user.chat_id,
            "ten_hien_thi": user.display_name,
            "noi_o": places.village_label(user.village_id) if user.village_id else None,
            "ma_xa": user.commune_id,
            "ma_thon": user.village_id,
            "dong_y_luc": _time(user.consent_at, tz),
            "vai_tro": user.role,
            "pham_vi_xa": user.role_commune_id,
            "pham_vi_thon": list(user.role_village_ids or []),
            "luon_doc_to": user.read_aloud,
            "chan_bot_luc": _time(user.blocked_at, tz),
            "tao_luc": _time(user.created_at, tz),
            "lan_cuoi_luc": _time(user.last_seen_at, tz),
            "zalo_oa_tin_nhan_cuoi_luc": _time(user.oa_last_message_at, tz),  # Zalo's 48 h window
            "zalo_oa_so_tin_da_gui_tu_do": user.oa_sent_since,
        },
        "tien_do_hoc": [
            {
                "bai_hoc": p.lesson_id,
                "ten_bai": title(p.lesson_id),
                "buoc": p.step,
                "bat_dau_luc": _time(p.started_at, tz),
                "hoan_thanh_luc": _time(p.completed_at, tz),
            }
            for p in await progress_repo.all_for_user(session, user.id)
        ],
        "bai_kiem_tra": [
            {
                "bai_hoc": a.lesson_id,
                "ten_bai": title(a.lesson_id),
                "cau_tra_loi": list(a.answers or []),
                "diem": a.score,
                "dat": a.passed,
                "luc": _time(a.finished_at, tz),
            }
            for a in await progress_repo.attempts(session, user.id)
        ],
        "dang_ky_lop": [
            {**klass(k), "dang_ky_luc": _time(r.registered_at, tz), "huy_luc": _time(r.cancelled_at, tz)}
            for r, k in await personal.registrations(session, user.id)
        ],
        "diem_danh": [
            {**klass(k), "ghi_luc": _time(a.marked_at, tz)} for a, k in await personal.attendances(session, user.id)
        ],
        "bai_thuc_hanh": [
            {
                "bai_hoc": t.lesson_id,
                "loai": t.kind,
                "giao_luc": _time(t.created_at, tz),
                "xong_luc": _time(t.done_at, tz),
            }
            for t in await personal.practice_tasks(session, user.id)
        ],
        "hoc_cung_to_cong_nghe": [
            {
                "ho_ten": e.person.full_name,
                "nam_sinh": e.person.birth_year,
                "thon": e.person.village_id,
                "bai_hoc": list(e.lessons),
                "dong_y_luc": _time(e.person.consent_at, tz),
                "ghi_nhan_luc": _time(e.person.recorded_at, tz),
                "noi_voi_dien_thoai_luc": _time(e.person.linked_at, tz),
            }
            for e in await guided_claims.linked_records(session, user)
        ],
        "lop_da_tao": [{**klass(k), "trang_thai": k.status} for k in await personal.classes_created(session, user.id)],
        "thong_bao_da_gui": [
            {"noi_dung": a.text, "co_anh": a.image_path is not None, "luc": _time(a.created_at, tz)}
            for a in await personal.announcements(session, user.id)
        ],
        "giay_ghi_nhan": [
            {"ma": c.code, "ho_ten": c.full_name, "thon": c.village_id, "bai_hoc": list(c.lessons or []),
             "cap_luc": _time(c.issued_at, tz)}
            for c in [await certificates_repo.for_user(session, user.id)] if c is not None
        ],
        "ma_moi_da_dung": [
            {"vai_tro": i.role, "xa": i.commune_id, "thon": list(i.village_ids or []), "luc": _time(i.used_at, tz)}
            for i in await personal.invites_used(session, user.id)
        ],
    }


def as_document(data: dict[str, Any]) -> Document:
    content = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    return Document(FILENAME, content, MIME)
