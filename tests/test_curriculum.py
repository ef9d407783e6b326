"""The shipped curriculum (content/lessons/*.yaml) loads, fits phone screens, is Vietnamese, and is findable."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from bot.content.loader import Catalog, ContentError, load_catalog
from bot.content.models import Lesson
from bot.content.taxonomy import FRAMEWORK_AREAS, TOPICS
from bot.services.search import search_lessons

CONTENT = Path(__file__).resolve().parent.parent / "content"
LESSONS_DIR = CONTENT / "lessons"
LESSON_FILES = sorted(LESSONS_DIR.glob("*.yaml"))

# Letters that only Vietnamese text with diacritics contains (lower and upper case).
_VI_LETTERS = set("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ")
_VI_LETTERS |= {c.upper() for c in _VI_LETTERS}
# Common words that are never correct without diacritics: seeing them means an author typed unaccented text.
_UNACCENTED_GIVEAWAYS = {"khong", "duoc", "nguoi", "thoai", "tien", "dien", "viec", "chuyen"}

CORE_EXPECTED = {
    "vneid-kich-hoat",
    "qr-thanh-toan",
    "qr-gia-lua-chuyen-khoan",
    "otp-mat-khau",
    "cuoc-goi-gia-danh",
    "dich-vu-cong-quoc-gia",
    "khai-sinh-truc-tuyen",
    "vssid-bhyt",
    "cai-ung-dung",
    "zalo-co-ban",
}

# What a resident types (no diacritics) -> the lesson that must come first.
SEARCH_TABLE = {
    "vneid": "vneid-kich-hoat",
    "cai vneid": "vneid-kich-hoat",
    "dinh danh muc 2": "vneid-kich-hoat",
    "vi giay to": "vneid-dang-nhap-vi-giay-to",
    "thong bao luu tru": "vneid-dang-nhap-vi-giay-to",
    "qr": "qr-thanh-toan",
    "quet ma qr": "qr-thanh-toan",
    "qr gia": "qr-gia-lua-chuyen-khoan",
    "chuyen nham": "qr-gia-lua-chuyen-khoan",
    "tien dien": "thanh-toan-hoa-don",
    "hoc phi": "thanh-toan-hoa-don",
    "dich vu cong": "dich-vu-cong-quoc-gia",
    "khai sinh": "khai-sinh-truc-tuyen",
    "xac nhan cu tru": "xac-nhan-cu-tru",
    "tra cuu ho so": "xac-nhan-cu-tru",
    "vssid": "vssid-bhyt",
    "the bhyt": "vssid-bhyt",
    "dat lich kham": "vssid-bhyt",
    "otp": "otp-mat-khau",
    "mat khau": "otp-mat-khau",
    "gia danh": "cuoc-goi-gia-danh",
    "cong an goi": "cuoc-goi-gia-danh",
    "link la": "link-ung-dung-gia",
    "app gia": "link-ung-dung-gia",
    "lua dao": "bi-lua-dao-lam-gi",
    "bi lua dao": "bi-lua-dao-lam-gi",
    "cai app": "cai-ung-dung",
    "ch play": "cai-ung-dung",
    "zalo": "zalo-co-ban",
    "goi video": "zalo-co-ban",
    "chup anh": "chup-anh-chia-se",
    "postmart": "ban-hang-truc-tuyen",
    "voso": "ban-hang-truc-tuyen",
    "ai": "tro-ly-ai",
    "chatgpt": "tro-ly-ai",
    "tin gia": "tin-gia",
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(LESSONS_DIR)


def _lessons(catalog: Catalog) -> list[Lesson]:
    return list(catalog.lessons.values())


def _has_vi(text: str) -> bool:
    return any(ch in _VI_LETTERS for ch in text)


def _user_texts(lesson: Lesson) -> list[tuple[str, str]]:
    """Every sentence a resident reads, labelled with where it lives."""
    out = [("title", lesson.title)]
    out += [(f"steps[{i}].text", s.text) for i, s in enumerate(lesson.steps)]
    for j, q in enumerate(lesson.quiz.questions):
        out += [(f"quiz.questions[{j}].text", q.text), (f"quiz.questions[{j}].explain", q.explain)]
    return out


def test_every_file_loads_through_the_project_loader(catalog: Catalog) -> None:
    assert len(catalog.lessons) == len(LESSON_FILES)


def test_curriculum_has_enough_lessons(catalog: Catalog) -> None:
    assert len(catalog.lessons) >= 14


def test_ids_are_unique_and_match_file_names() -> None:
    ids = [yaml.safe_load(p.read_text(encoding="utf-8"))["id"] for p in LESSON_FILES]
    assert len(ids) == len(set(ids))
    assert ids == [p.stem for p in LESSON_FILES]


def test_lesson_shape_fits_a_phone(catalog: Catalog) -> None:
    for lesson in _lessons(catalog):
        assert len(lesson.title) <= 48, f"{lesson.id}: title is cut on a lesson button"
        assert 4 <= len(lesson.steps) <= 8, lesson.id
        assert all(len(s.text) <= 600 for s in lesson.steps), lesson.id
        questions = lesson.quiz.questions
        assert 3 <= len(questions) <= 5, lesson.id
        assert 1 <= lesson.quiz.pass_score <= len(questions), lesson.id
        for q in questions:
            assert 2 <= len(q.choices) <= 4, (lesson.id, q.text)
            assert 0 <= q.answer < len(q.choices), (lesson.id, q.text)
            assert all(len(c) <= 60 for c in q.choices), (lesson.id, q.choices)
            assert len(set(q.choices)) == len(q.choices), (lesson.id, q.choices)


def test_quiz_answers_are_not_all_in_the_same_position(catalog: Catalog) -> None:
    answers = [q.answer for lesson in _lessons(catalog) for q in lesson.quiz.questions]
    assert len(set(answers)) >= 2


def test_all_reader_text_is_vietnamese_with_diacritics(catalog: Catalog) -> None:
    for lesson in _lessons(catalog):
        for where, text in _user_texts(lesson):
            assert _has_vi(text), f"{lesson.id}:{where}: no Vietnamese diacritics: {text!r}"
            bad = {w for w in re.findall(r"\w+", text.lower())} & _UNACCENTED_GIVEAWAYS
            assert not bad, f"{lesson.id}:{where}: words typed without diacritics {sorted(bad)}"
        for j, q in enumerate(lesson.quiz.questions):
            assert any(_has_vi(c) for c in q.choices), f"{lesson.id}:quiz.questions[{j}].choices"


def test_no_markup_in_reader_text(catalog: Catalog) -> None:
    for lesson in _lessons(catalog):
        for where, text in _user_texts(lesson):
            assert not re.search(r"<[a-zA-Z/][^>]*>|\*\*|__|^#", text, re.M), f"{lesson.id}:{where}"


def test_every_lesson_ends_with_a_recap(catalog: Catalog) -> None:
    """The last reading step recaps; a practice task may follow it."""
    for lesson in _lessons(catalog):
        reading = [s for s in lesson.steps if not s.practice]
        assert "Tóm lại" in reading[-1].text, lesson.id
        assert all(s.practice for s in lesson.steps[len(reading):]), f"{lesson.id}: practice steps come last"


def test_referenced_images_exist_and_are_small_pngs(catalog: Catalog) -> None:
    images = [s.image for lesson in _lessons(catalog) for s in lesson.steps if s.image]
    assert images, "at least some lessons carry a picture"
    for rel in images:
        path = CONTENT / rel
        assert path.is_file(), rel
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", rel
        assert path.stat().st_size < 60 * 1024, rel


def test_core_set_is_the_essential_lessons(catalog: Catalog) -> None:
    assert set(catalog.core_ids) == CORE_EXPECTED


def test_every_topic_and_framework_area_is_taught(catalog: Catalog) -> None:
    assert {lesson.topic for lesson in _lessons(catalog)} == set(TOPICS)
    assert {lesson.framework_area for lesson in _lessons(catalog)} == set(FRAMEWORK_AREAS)


def test_keywords_include_unaccented_forms(catalog: Catalog) -> None:
    for lesson in _lessons(catalog):
        assert any(k.isascii() for k in lesson.keywords), lesson.id


@pytest.mark.parametrize("lesson_id", ["otp-mat-khau", "cuoc-goi-gia-danh"])
def test_safety_lessons_state_the_never_rule(catalog: Catalog, lesson_id: str) -> None:
    text = " ".join(s.text for s in catalog.lessons[lesson_id].steps)
    assert "không bao giờ yêu cầu" in text
    assert "OTP" in text


@pytest.mark.parametrize(("query", "expected"), sorted(SEARCH_TABLE.items()))
def test_resident_typing_without_diacritics_finds_the_lesson_first(
    catalog: Catalog, query: str, expected: str
) -> None:
    results = search_lessons(catalog, query)
    assert results, f"nothing found for {query!r}"
    assert results[0].id == expected, [lesson.id for lesson in results]


def test_every_lesson_is_reachable_by_search(catalog: Catalog) -> None:
    assert set(SEARCH_TABLE.values()) == set(catalog.lessons)


def test_a_broken_lesson_is_reported_with_file_and_field(tmp_path: Path) -> None:
    lessons = tmp_path / "content" / "lessons"
    lessons.mkdir(parents=True)
    shutil.copy(LESSONS_DIR / "otp-mat-khau.yaml", lessons / "otp-mat-khau.yaml")
    data = yaml.safe_load((lessons / "otp-mat-khau.yaml").read_text(encoding="utf-8"))
    data["quiz"]["questions"][0]["answer"] = 7
    (lessons / "otp-mat-khau.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_catalog(lessons)
    assert any(p.startswith("content/lessons/otp-mat-khau.yaml:quiz.questions[0]") for p in err.value.problems)
