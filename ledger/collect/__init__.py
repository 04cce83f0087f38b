"""Collect: returned workbooks into submissions or feedback."""
