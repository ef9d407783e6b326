"""Dashboard pages about classes and people: the commune's class list, one class (live count, names, code),
its check-in poster, and the residents guided without a phone."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.db.models import ClassStatus
from bot.db.repositories import classes as classes_repo
from bot.engine.texts import ROLE_LABELS
from bot.services import checkin, checkin_poster, guided, stats
from bot.services.errors import UserError
from bot.web.dashboard_base import DashboardBase, Refused


class ClassPages(DashboardBase):
    """/xa/<commune>/lop-hoc (the list, a class, its poster) and /xa/<commune>/huong-dan."""

    async def classes(self, request: web.Request) -> web.StreamResponse:
        period = self.period(request)
        async with self.tx() as session:
            user, commune = await self._commune(request, session)
            rows = await stats.commune_classes(session, self.app, commune.id, period)
            # Not started yet or still open for check-in (a period ends now, so these are not in `rows` yet).
            since = self.now() - checkin.CLASS_LENGTH
            upcoming = await classes_repo.upcoming_in_commune(session, commune.id, since, limit=20)
        names = self.app.places.villages
        return self.render(
            "classes.html",
            request,
            rows=rows,
            upcoming=upcoming,
            tab="classes",
            tz=self.tz,
            village_names=lambda ids: ", ".join(names[v].name for v in ids if v in names) or "Cả xã",
            **self.page_ctx(request, user, commune, period),
        )

    async def class_page(self, request: web.Request) -> web.StreamResponse:
        """One class: the live count and names of who came (check-ins and the team's ticks), its code and poster."""
        async with self.tx() as session:
            user, commune = await self._commune(request, session)
            seen = await checkin.arrivals(session, user, self._class_id(request))
            if seen.klass.commune_id != commune.id:
                raise Refused(404, "Lớp này không thuộc xã.", user)
            registered = await classes_repo.count_registered(session, seen.klass.id)
        opens, closes = checkin.window(seen.klass)
        lesson = self.app.catalog.get(seen.klass.lesson_id) if seen.klass.lesson_id else None
        return self.render(
            "class.html", request, k=seen.klass, seen=seen, registered=registered, tz=self.tz, opens=opens,
            closes=closes, lesson=lesson, is_open=checkin.is_open(seen.klass, self.now()), tab="classes",
            **self.page_ctx(request, user, commune, self.period(request)),
        )

    async def class_poster(self, request: web.Request) -> web.StreamResponse:
        async with self.tx() as session:
            user, commune = await self._commune(request, session)
            klass = await checkin.viewable_class(session, user, self._class_id(request))
            if klass.commune_id != commune.id or klass.status == ClassStatus.CANCELLED:
                raise Refused(404, "Lớp này không thuộc xã hoặc đã hủy.", user)
            await checkin.ensure_code(session, klass)
            text = checkin_poster.poster_text(self.app, klass)
        ext = request.match_info["ext"]
        render = checkin_poster.render_pdf if ext == "pdf" else checkin_poster.render_png
        body = await asyncio.to_thread(render, text)
        mime = checkin_poster.PDF_MIME if ext == "pdf" else checkin_poster.PNG_MIME
        return self._download(body, checkin_poster.filename(klass, ext), mime)

    def _class_id(self, request: web.Request) -> int:
        raw = request.match_info["class_id"]
        if not raw.isdigit() or len(raw) > 12:
            raise UserError("Không tìm thấy lớp học này.")
        return int(raw)

    async def guided_people(self, request: web.Request) -> web.StreamResponse:
        """Residents guided without a phone: each record with who recorded it, when, and what happened since."""
        period = self.period(request)
        async with self.tx() as session:
            user, commune = await self._commune(request, session)
            records = await guided.trails_for_official(session, self.app, user, commune.id)
        return self.render(
            "guided.html",
            request,
            records=records,
            tab="guided",
            tz=self.tz,
            labels=guided.ACTION_LABELS,
            role_labels=ROLE_LABELS,
            village_label=self.app.places.village_label,
            lesson_titles=lambda ids: guided.in_curriculum_order(self.app, ids),
            **self.page_ctx(request, user, commune, period),
        )
