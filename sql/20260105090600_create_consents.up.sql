-- GDPR consent ledger: a revocation closes a row instead of deleting it, so the history of what was agreed to survives.
CREATE TABLE consents (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    purpose TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    granted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT consents_pkey PRIMARY KEY (id),
    CONSTRAINT consents_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT consents_purpose_check CHECK (
        purpose IN (
            'terms_of_service',
            'privacy_policy',
            'skin_data_processing',
            'research',
            'analytics',
            'marketing_email'
        )
    ),
    CONSTRAINT consents_policy_version_check CHECK (btrim(policy_version) <> ''),
    CONSTRAINT consents_revoked_after_granted_check CHECK (revoked_at >= granted_at)
);

-- Covers the foreign key (including revoked rows) and a user's full consent history.
CREATE INDEX idx_consents_user_id_purpose ON consents (user_id, purpose, granted_at);

-- At most one consent in force per user and purpose.
CREATE UNIQUE INDEX uq_consents_user_id_purpose_active ON consents (user_id, purpose) WHERE revoked_at IS NULL;

COMMENT ON TABLE consents IS 'GDPR consent records per user and purpose; a row is in force while revoked_at IS NULL.';
COMMENT ON COLUMN consents.policy_version IS 'Version of the policy text the user agreed to.';
COMMENT ON COLUMN consents.revoked_at IS 'When consent was withdrawn; NULL while in force.';
