"""The deterministic demo factory (`make run`, `ops seed-demo`): staff, customers, products and
orders with real histories. Features add their own demo rows through `Feature.seed`."""
