-- Undoes 20260105090400_create_products: drops products with its indexes, constraints, comments and trigger.
DROP TABLE products;
