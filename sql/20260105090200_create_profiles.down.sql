-- Undoes 20260105090200_create_profiles: drops profiles with its constraints, comments and trigger.
DROP TABLE profiles;
