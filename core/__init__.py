"""The kernel: database sessions, aware-UTC types, the unit of work and event bus, the runtime,
feature declarations, and the base user-facing error. Features import it; it imports no feature."""
