"""What every domain shares: model mixins, time zone helpers, the language registry."""
