"""Viewsets, menu items and dashboard panels of the monitoring admin."""
