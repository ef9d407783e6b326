"""Scheduler: class reminders and the monthly report to officials, driven by APScheduler 3.

The database is the source of truth. `run_due(sessionmaker, app, now)` looks at the
classes and the calendar and writes whatever is due into the outbox (idempotently: every
message has a stable ref). APScheduler only decides *when* to call it:
- an interval tick (every `tick_seconds`), which also renews the leader lease;
- a date job at the next reminder moment, recomputed from the database at start and after
  every tick (so a restart loses nothing);
- a cron job on the 10th at 08:00 (settings.timezone) for the monthly report;
- the tick also writes, from 08:00 the day after a class, one message to each registered person
  who did not come (services/checkin_followup.py).
Only the leader (holder of the `leases` row "scheduler") runs due work, so two instances
do not double-enqueue (the outbox's unique (ref, user) would absorb it anyway).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app_context import AppContext
from bot.db.models import User
from bot.db.repositories import leases
from bot.db.repositories import people as people_repo
from bot.db.repositories import replies as replies_repo
from bot.services import announcements as announcements_svc
from bot.services import attendance as attendance_svc
from bot.services import checkin_followup, dedupe
from bot.services import reminders as reminders_svc
from bot.services.outbox import enqueue_for_users
from bot.services.periods import month_before
from bot.services.reports import monthly_summary_text

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
REPORT_DAY = 10
REPORT_TIME = time(8, 0)
PURGE_TIME = time(3, 0)  # data past its retention (update keys, walk-in names), every night
REPORT_CATCH_UP = timedelta(hours=24)  # a report missed while down is still sent within a day


@dataclass(frozen=True)
class DueResult:
    reminders: int
    reports: int
    followups: int = 0  # the morning-after messages to registered people who did not come


# ---------- the tick: pure function of the database and `now` ----------
async def run_due(sessionmaker: async_sessionmaker[AsyncSession], app: AppContext, now: datetime) -> DueResult:
    """Write every reminder, report and class follow-up due at `now` into the outbox (idempotent)."""
    async with sessionmaker() as session, session.begin():
        reminders = await reminders_svc.enqueue_due_reminders(session, app, now)
    async with sessionmaker() as session, session.begin():
        reports = await enqueue_monthly_reports(session, app, now)
    async with sessionmaker() as session, session.begin():
        followups = await checkin_followup.enqueue_no_show_messages(session, app, now)
    return DueResult(reminders, reports, followups)


def report_moment(app: AppContext, local_day: date) -> datetime:
    """08:00 on the 10th of `local_day`'s month, in the deployment's time zone."""
    return datetime.combine(local_day.replace(day=REPORT_DAY), REPORT_TIME, tzinfo=app.settings.tz)


async def enqueue_monthly_reports(session: AsyncSession, app: AppContext, now: datetime) -> int:
    """On the 10th from 08:00 (or within a day after, if the bot was down), last month's summary
    goes to each official of a commune; returns rows added."""
    local = now.astimezone(app.settings.tz)
    moment = report_moment(app, local.date())
    if not moment <= local < moment + REPORT_CATCH_UP:
        return 0
    year, month = month_before(local.date())
    by_commune: dict[str, list[User]] = {}
    for official in await people_repo.officials(session):
        by_commune.setdefault(official.role_commune_id or "", []).append(official)
    added = 0
    for commune_id, people in by_commune.items():
        if commune_id not in app.places.communes:
            continue
        text = await monthly_summary_text(session, app, commune_id, year, month)
        added += await enqueue_for_users(session, app, f"rep:{commune_id}:{year}-{month:02d}", people, text, now)
    return added


# ---------- APScheduler wiring ----------
class BotScheduler:
    """Runs `run_due` on the leader instance at the right moments."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        app: AppContext,
        instance_id: str | None = None,
        tick_seconds: float = 30.0,
        lease_ttl: timedelta = timedelta(seconds=90),
    ) -> None:
        self.sessionmaker = sessionmaker
        self.app = app
        self.instance_id = instance_id or app.settings.instance_id or f"bot-{uuid.uuid4().hex[:8]}"
        self.tick_seconds = tick_seconds
        self.lease_ttl = lease_ttl
        self.scheduler = AsyncIOScheduler(timezone=app.settings.tz)
        self.is_leader = False

    async def start(self) -> None:
        self.scheduler.add_job(
            self.tick,
            IntervalTrigger(seconds=self.tick_seconds),
            id="tick",
            next_run_time=datetime.now(self.app.settings.tz),
            max_instances=1,
            coalesce=True,
        )
        self.scheduler.add_job(
            self.tick,
            CronTrigger(
                day=REPORT_DAY, hour=REPORT_TIME.hour, minute=REPORT_TIME.minute, timezone=self.app.settings.tz
            ),
            id="monthly-report",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=3600,
        )
        self.scheduler.add_job(
            self.daily_purge,
            CronTrigger(hour=PURGE_TIME.hour, minute=PURGE_TIME.minute, timezone=self.app.settings.tz),
            id="daily-purge",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=6 * 3600,
        )
        self.scheduler.start()
        await self.rebuild()

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self.is_leader:
            async with self.sessionmaker() as session, session.begin():
                await leases.release(session, LEASE_NAME, self.instance_id)
            self.is_leader = False

    async def take_lead(self, now: datetime) -> bool:
        async with self.sessionmaker() as session, session.begin():
            leader = await leases.acquire(session, LEASE_NAME, self.instance_id, now, self.lease_ttl)
        if leader != self.is_leader:
            log.info("scheduler %s: %s", self.instance_id, "now the leader" if leader else "no longer the leader")
        self.is_leader = leader
        return leader

    async def tick(self) -> DueResult | None:
        """Renew the lease; if leader, enqueue due work and re-aim the next reminder job."""
        now = self.app.clock()
        try:
            if not await self.take_lead(now):
                return None
            result = await run_due(self.sessionmaker, self.app, now)
            if result.reminders or result.reports or result.followups:
                log.info(
                    "scheduler: enqueued %d reminders, %d reports, %d class follow-ups",
                    result.reminders,
                    result.reports,
                    result.followups,
                )
            await self.rebuild()
            return result
        except Exception:
            log.exception("scheduler tick failed")
            return None

    async def daily_purge(self) -> tuple[int, int] | None:
        """Daily, on the leader: drop processed-update keys older than DEDUPE_RETENTION_HOURS, walk-in
        names older than WALK_IN_NAME_RETENTION_DAYS, uploaded photos no announcement uses (a day
        old), and reply-journal rows delivered over an hour ago. Returns (keys, names) removed."""
        now = self.app.clock()
        settings = self.app.settings
        try:
            if not await self.take_lead(now):
                return None
            async with self.sessionmaker() as session, session.begin():
                keys = await dedupe.purge_expired(session, now, timedelta(hours=settings.dedupe_retention_hours))
                names = await attendance_svc.drop_walk_in_names(
                    session, now, timedelta(days=settings.walk_in_name_retention_days)
                )
                files = await announcements_svc.delete_orphan_uploads(session, settings.uploads_dir, now)
                replies = await replies_repo.purge_delivered(session, now - replies_repo.DELIVERED_KEPT)
            log.info(
                "scheduler: purged %d processed-update keys, %d walk-in names, %d unused uploads, %d delivered replies",
                keys, names, files, replies,
            )
            return keys, names
        except Exception:
            log.exception("scheduler: daily purge failed")
            return None

    async def rebuild(self) -> datetime | None:
        """(Re)create the date job for the next reminder moment from the database."""
        async with self.sessionmaker() as session:
            moment = await reminders_svc.next_reminder_at(session, self.app, self.app.clock())
        if moment is None:
            if self.scheduler.get_job("next-reminder"):
                self.scheduler.remove_job("next-reminder")
            return None
        self.scheduler.add_job(
            self.tick,
            DateTrigger(run_date=moment),
            id="next-reminder",
            replace_existing=True,
            misfire_grace_time=None,
        )
        return moment
