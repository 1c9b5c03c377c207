"""Findings for reviewers: every inconsistency in and across reports, each traceable to its cells and
sentences, computed at ingest and stored with the report. Deterministic: no model, no threshold tuned
on one report; a finding must be real, because a reviewer stops reading a tool that cries wolf."""
