"""CAP 1.2 (OASIS Common Alerting Protocol): our public notices as alerts, and upstream alerts
taken in as incident drafts. `schema/CAP-v1.2.xsd` is the official OASIS schema, unchanged."""
