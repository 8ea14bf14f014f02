"""回访, the satisfaction callback of step 7 of the loop.

When a case first closes, its reporter is asked "Was it resolved? Are you satisfied? Anything
to add?" in their language (`asking`: a subscriber of the domain's `closed` entries; in-app,
e-mail and SMS by an account's preferences, e-mail and SMS to an anonymous contact), with a
one-time link (`links`). The answer (`answering`) is one timeline entry of kind `callback`;
"not resolved" reopens the case through the workflow, or, past the reopen window, flags the
entry for review and tells the area's supervisors. Staff record an answer given by phone.
"""
