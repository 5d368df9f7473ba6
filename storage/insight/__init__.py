"""Pure rules of coach insight: chart series, compliance, attention, readiness, timing."""
