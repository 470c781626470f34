-- Accounts are the root every personal table hangs off; email is stored lower-case so its UNIQUE constraint is case-insensitive.
CREATE TABLE users (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    email TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_email_lower_check CHECK (email = lower(email)),
    CONSTRAINT users_email_format_check CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$' AND length(email) <= 254)
);

COMMENT ON TABLE users IS 'Platform accounts; deleting a user cascades to all personal data (GDPR erasure).';
COMMENT ON COLUMN users.email IS 'Login address, stored lower-case (enforced by users_email_lower_check) so users_email_key is case-insensitive.';

CREATE TRIGGER users_set_updated_at
    BEFORE UPDATE ON users
    FOR EACH ROW
    EXECUTE FUNCTION set_updated_at();
