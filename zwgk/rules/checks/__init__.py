"""One module per check. `zwgk.rules.registry` lists them explicitly."""
