"""SQLAlchemy 2 typed models: the whole schema, one module per area. Change it only together with an Alembic
migration. Importing this package registers every table on `Base.metadata`."""

from bot.db.models.base import Base
from bot.db.models.classes import Announcement, Attendance, AttendanceVia, ClassRegistration, ClassStatus, Klass
from bot.db.models.delivery import OutboxMessage, ReplyEntry
from bot.db.models.guided import GuidedEvent, GuidedLesson, GuidedPerson
from bot.db.models.instance import AppSecret, Lease, ZaloOaToken
from bot.db.models.learning import Certificate, LessonProgress, PracticeTask, QuizAttempt
from bot.db.models.links import DownloadLink, FileLink, WebLoginToken, WebSession
from bot.db.models.people import ConversationState, InviteCode, ProcessedUpdate, Role, RoleChange, User

__all__ = [
    "Announcement",
    "AppSecret",
    "Attendance",
    "AttendanceVia",
    "Base",
    "Certificate",
    "ClassRegistration",
    "ClassStatus",
    "ConversationState",
    "DownloadLink",
    "FileLink",
    "GuidedEvent",
    "GuidedLesson",
    "GuidedPerson",
    "InviteCode",
    "Klass",
    "Lease",
    "LessonProgress",
    "OutboxMessage",
    "PracticeTask",
    "ProcessedUpdate",
    "QuizAttempt",
    "ReplyEntry",
    "Role",
    "RoleChange",
    "User",
    "WebLoginToken",
    "WebSession",
    "ZaloOaToken",
]
