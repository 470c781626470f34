-- Undoes 20260105090900_create_product_skin_suitability: drops product_skin_suitability with its constraints, comments and trigger.
DROP TABLE product_skin_suitability;
