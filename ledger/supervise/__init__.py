"""督办 after the report: colour-coded notices (督办单) to units, their replies, and each unit's 考评 score."""
