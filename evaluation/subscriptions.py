"""Where the evaluation's subscribers to the domain's events are imported (and so registered)."""
