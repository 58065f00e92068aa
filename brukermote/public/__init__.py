"""Pages for participants: no account, in their language, right-to-left where the language is."""
