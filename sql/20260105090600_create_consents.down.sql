-- Undoes 20260105090600_create_consents: drops consents with its indexes, constraints and comments.
DROP TABLE consents;
