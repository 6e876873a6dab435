"""Signal handlers and registrations that must happen once the app registry is ready."""
