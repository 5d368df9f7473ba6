"""Coach insight and notifications: team view, digest, charts, reminders, readiness."""
