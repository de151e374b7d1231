"""What every chat channel shares, so that a new channel (Teams, Telegram) is one module plus settings and strings.

- `conversation`: the one rule for what enters a chat's history, and the store that keeps it in the database
  (bounded to HISTORY_TURNS, expiring after LINE_HISTORY_TTL_S), so a follow-up reaching another worker, or
  arriving after a restart, keeps its context;
- `limits`: the per-user sliding-window rate limit, in the database, so several workers count together;
- `events`: the durable intake queue (accept → claim with a lease → done), exactly once per event id;
- `render`: an answer's citations and a checklist's groups as plain text lines.

Imports go one way: settings → database → channels → the channel modules (cli, web, line_bot).
"""
