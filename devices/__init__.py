"""MQTT scanners and sensors feeding the same order flow."""
