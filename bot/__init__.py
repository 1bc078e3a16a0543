"""Chat entry points: WeCom robot and app callbacks, robot long connection, bridge."""
