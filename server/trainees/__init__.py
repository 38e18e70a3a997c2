"""A trainee's own data, on request: everything kept about them, and erasing it (DESIGN §5)."""
