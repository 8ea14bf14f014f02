"""The evaluation's tables; each concept in its own module, re-exported here."""
