"""Writes for grants. Money moves only through ``hub.grants.services.money``."""
