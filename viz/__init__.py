"""The interactive network page (pyvis, vis-network inlined so it works offline)."""
