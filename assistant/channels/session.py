"""What a chat channel does with a message, apart from its layout and its transport.

`ChatSessions(assistant, db, channel, settings)` is the core a chat bot (LINE today; Teams or Telegram would be
one module each) calls with a chat id and what the user sent, and renders what comes back:
- `allowed(user)`: the shared rate limit (RATE per minute per user, counted in the database across workers);
- `ask(chat, text)` → `Answer`: the chat's history in, the one history rule (`remember`) out, the answer's
  citations kept for "source N" buttons;
- `checklist(chat, situation, model)` → (`Checklist`, the situation used): an empty situation reuses the chat's last one ("the other
  model" buttons), a drafted one is remembered;
- `citation(chat, n)` → the n-th citation of the chat's last answer or checklist, or None when there is none
  (expired, or a number from an older message).
Blocking (the assistant and the database): channels call it from their answer pool.
"""

from __future__ import annotations

from assistant.channels.conversation import ConversationStore, remember
from assistant.channels.limits import RateLimiter
from assistant.checklist import draft
from assistant.citations import Citation
from assistant.database import Database
from assistant.settings import Settings


class ChatSessions:
    def __init__(self, assistant, db: Database, channel: str, settings: Settings, rate_limit: int):
        self.assistant, self.channel, self.turns = assistant, channel, settings.history_turns
        self.conversations = ConversationStore(db, channel, settings.line_history_ttl_s, settings.history_turns)
        self.limiter = RateLimiter(db, rate_limit, 60.0)

    def allowed(self, user: str) -> bool:
        return self.limiter.allow(f"{self.channel}:{user}")

    def ask(self, chat: str, text: str, before_answer=None):
        """The answer to `text` in this chat; `before_answer()` runs once the question is accepted (a
        channel's "typing…" indicator before a slow LLM answer)."""
        convo = self.conversations.get(chat)
        if before_answer is not None:
            before_answer()
        answer = self.assistant.ask(text, convo.history)
        if answer.error:
            return answer
        convo.history = remember(convo.history, text, answer, self.turns)
        if not answer.refused:
            convo.citations = answer.citations
        self.conversations.save(chat, convo)
        return answer

    def checklist(self, chat: str, situation: str, model: str | None, cited=None):
        """(the checklist, the situation it was drafted for: `situation`, or the chat's last one when empty);
        `cited(result)` gives the citations its numbers refer to in the channel's layout (default: the items')."""
        convo = self.conversations.get(chat)
        situation = situation or convo.situation
        result = draft(self.assistant.recommender, situation, model)
        if result.error:
            return result, situation
        convo.situation = situation
        convo.citations = cited(result) if cited else [x.citation for x in result.items]
        self.conversations.save(chat, convo)
        return result, situation

    def citation(self, chat: str, n: int) -> Citation | None:
        citations = self.conversations.get(chat).citations
        return citations[n - 1] if 1 <= n <= len(citations) else None

    def housekeeping(self) -> None:
        self.conversations.forget_expired()
        self.limiter.forget_older_than()
