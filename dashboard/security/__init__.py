"""Who may see and do what: sign-in, roles, sessions, throttling and the security headers."""
