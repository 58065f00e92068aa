"""Tables of the sms domain."""
