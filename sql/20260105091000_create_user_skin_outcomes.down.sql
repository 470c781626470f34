-- Undoes 20260105091000_create_user_skin_outcomes: drops user_skin_outcomes with its indexes, constraints and comments.
DROP TABLE user_skin_outcomes;
