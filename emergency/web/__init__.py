"""The emergency app's staff pages, a module per concept."""
