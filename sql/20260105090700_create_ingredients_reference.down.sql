-- Undoes 20260105090700_create_ingredients_reference: drops ingredients_reference with its indexes, constraints, comments and trigger.
DROP TABLE ingredients_reference;
