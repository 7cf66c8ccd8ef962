"""Extraction: reports in, typed entities and evidenced relations out (see ../shared/eval/SCHEMA.md)."""
