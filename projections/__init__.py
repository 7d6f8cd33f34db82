"""The read side: view tables, the projections that fold events into them, and their queries."""
