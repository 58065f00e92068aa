"""Tables of the interpreters domain."""
