"""The order domain: tables, status flow, use cases. Imports no other package of the project."""
