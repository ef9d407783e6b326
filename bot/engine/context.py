"""What a conversation handler gets: the event, the user, their state, and the shared app context."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_context import AppContext
from bot.db.models import ConversationState, User
from bot.messages import Button, Incoming


@dataclass
class Ctx:
    """One conversation turn. `user` is None until the person consents."""

    incoming: Incoming
    session: AsyncSession
    app: AppContext
    now: datetime
    user: User | None = None
    state: ConversationState | None = None
    shown: list[Button] = field(default_factory=list)  # the buttons on her screen, with their numbers

    @property
    def data(self) -> dict[str, Any]:
        """The flow's scratch data (empty before consent). Assign via `set_flow`."""
        return dict(self.state.data) if self.state else {}

    def set_flow(self, flow: str, **data: Any) -> None:
        """Enter `flow` with fresh data (no-op before consent: nothing is stored then)."""
        if self.state is not None:
            self.state.flow = flow
            self.state.data = data

    def update_data(self, **data: Any) -> None:
        if self.state is not None:
            self.state.data = {**self.state.data, **data}

    @property
    def flow(self) -> str:
        return self.state.flow if self.state else "start"
