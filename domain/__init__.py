"""The marketplace's domain model: aggregates, their events and the rules they keep.

Imports nothing but the standard library and eventsourcing's domain module.
"""
