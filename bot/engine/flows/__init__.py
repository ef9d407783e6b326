"""Conversation flows. Importing this package registers every flow on the global router."""

from bot.engine.flows import (  # noqa: F401  (imported for their registrations)
    certificate,
    classes,
    lesson,
    listen,
    menu,
    mydata,
    official,
    onboarding,
    progress,
    quiz,
    roles,
    search,
    start,
    team_announce,
    team_attendance,
    team_classes,
    team_common,
    team_edits,
)
