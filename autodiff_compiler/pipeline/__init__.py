"""The pipeline from a user's function to a cached callable: lower (frontend),
differentiate (ad), optimise (opt), generate (backends), load; the guards that say when
a compiled gradient may be reused, and the fast entry that checks them per call."""
