-- Undoes 20260105090300_create_skin_scans: drops skin_scans with its index, constraints and comments.
DROP TABLE skin_scans;
