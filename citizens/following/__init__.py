"""Following a request ("me too") and area alerts: subscribing, and telling subscribers.

A person follows a public request with one tap when signed in, or by an e-mail address they
confirm through a link; either way it counts as a "me too" that staff see as a number (never
as names). An area alert follows the new and changed requests of a community or of a circle
drawn on the map.

Telling them never runs in the workflow's transaction: `alert_tasks` adds one outbox task per
public timeline entry to the change's own outbox insert; the task (`fan_out`) finds the live
subscriptions that entry concerns with indexed queries (the case's followers; the areas whose
path is a prefix of the case's; the circles whose bounding box holds its public point),
writes one `Alert` per subscription (unique: a re-run writes none twice) and the in-app
notifications of account holders, and queues each alert's e-mail/SMS (`send_alert`, claimed
by `sent_at`: sent at most once). With Redis down the outbox keeps the task until the broker
is back; an alert whose sending failed is queued again by `requeue_pending`.

What subscribers learn is the public form of the case only (`governance.public`): category,
status, public notes, a rounded point (none at all for a private-location case), no personal
data. A private-location case is followed only by staff permitted to view it.
"""
