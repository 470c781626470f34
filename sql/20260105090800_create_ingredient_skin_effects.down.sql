-- Undoes 20260105090800_create_ingredient_skin_effects: drops ingredient_skin_effects with its index, constraints and comments.
DROP TABLE ingredient_skin_effects;
