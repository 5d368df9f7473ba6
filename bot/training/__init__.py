"""The athlete's training day: /today, /week, logging, /log, /maxes; the coach's views of it and
/settings for the team's time zone, unit and rounding."""
