"""Sign-in, users and roles (admin, member, and the confidential flag)."""
