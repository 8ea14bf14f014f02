"""The evaluation's pages: the leaders' cockpit, the cases behind its figures, the printable
report."""
