-- Undoes 20260105090500_create_routines: drops routines with its index, constraints, comments and trigger.
DROP TABLE routines;
