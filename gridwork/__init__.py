"""Grid work: the base registry of people, places and organisations (人、地、物、组织)."""
