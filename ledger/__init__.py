"""ledger: the monthly work-ledger (工作台账) cycle of a county government, end to end."""

__version__ = "0.1.0"
