"""Specialisation: rewriting code for what is known about one call's arguments."""
from .inplace import lower_in_place
from .known_types import drop_type_dispatch

__all__ = ["drop_type_dispatch", "lower_in_place"]
