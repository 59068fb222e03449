"""Acting on what customers say: alert rules, cases with owners and SLAs, follow-ups, promoters."""
