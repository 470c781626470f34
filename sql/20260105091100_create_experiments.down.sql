-- Undoes 20260105091100_create_experiments: drops experiments with its constraints, comments and trigger.
DROP TABLE experiments;
