"""The customer's private ordering link: a mobile order form, the customer's requests and their tracking."""
