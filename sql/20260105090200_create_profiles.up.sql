-- Each user has at most one skin profile; its UNIQUE (user_id) also serves as the index for the cascading foreign key.
CREATE TABLE profiles (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    display_name TEXT,
    skin_type TEXT,
    fitzpatrick_type SMALLINT,
    skin_concerns TEXT[] NOT NULL DEFAULT '{}',
    birth_year SMALLINT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT profiles_pkey PRIMARY KEY (id),
    CONSTRAINT profiles_user_id_key UNIQUE (user_id),
    CONSTRAINT profiles_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT profiles_skin_type_check CHECK (skin_type IN ('normal', 'dry', 'oily', 'combination', 'sensitive')),
    CONSTRAINT profiles_fitzpatrick_type_check CHECK (fitzpatrick_type BETWEEN 1 AND 6),
    CONSTRAINT profiles_skin_concerns_check CHECK (
        skin_concerns <@ ARRAY[
            'acne',
            'aging',
            'dark_spots',
            'dehydration',
            'dullness',
            'large_pores',
            'redness',
            'sensitivity',
            'texture',
            'wrinkles'
        ]::TEXT[]
    ),
    CONSTRAINT profiles_birth_year_check CHECK (birth_year BETWEEN 1900 AND 2100)
);

COMMENT ON TABLE profiles IS 'Skin profile of a user, at most one per user; removed with the user.';
COMMENT ON COLUMN profiles.fitzpatrick_type IS 'Fitzpatrick skin phototype 1 (I) to 6 (VI); NULL when the user has not answered.';
COMMENT ON COLUMN profiles.skin_concerns IS 'Self-reported concerns, a subset of the values listed in profiles_skin_concerns_check.';
COMMENT ON COLUMN profiles.birth_year IS 'Year only, not the full birth date, to minimise personal data.';

CREATE TRIGGER profiles_set_updated_at
    BEFORE UPDATE ON profiles
    FOR EACH ROW
    EXECUTE FUNCTION set_updated_at();
