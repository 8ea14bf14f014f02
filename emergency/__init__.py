"""Emergency management: incidents, plans (预案), notices with acknowledgement, CAP 1.2, resources.

It stands on the domain as its other subscribers do: it reads areas, people and cases through
the one scoped-access path (`emergency.access`, built on `governance.scope`), writes through
named functions of its own, and tells people through the notification centre.
"""
