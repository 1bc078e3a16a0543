"""Demo factory (placeholder until the seed lands)."""


def seed_if_empty(runtime, force: bool = False) -> bool:
    return False
