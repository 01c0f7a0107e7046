"""Result models of the reading commands; each renders to tables and JSON."""
