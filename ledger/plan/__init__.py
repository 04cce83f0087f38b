"""Plans: notices parsed into sections, items and responsible units."""
