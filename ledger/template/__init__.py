"""Templates: one locked, validated, print-ready ledger workbook per unit and period."""
