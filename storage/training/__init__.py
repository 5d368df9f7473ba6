"""Pure training rules (no Telegram, no database): loads, RPE chart, e1RM and PRs, the log line,
and which program session falls on which date."""
