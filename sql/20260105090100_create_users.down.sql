-- Undoes 20260105090100_create_users: drops users with its constraints, comments and trigger.
DROP TABLE users;
