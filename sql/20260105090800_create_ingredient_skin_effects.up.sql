-- Audit migration 2 (ingredient_skin_effects), with TIMESTAMPTZ NOT NULL DEFAULT now() instead of TIMESTAMP and CHECKs on the bounded columns.
-- verify:ignore prefer-text-field the audit's expected SQL fixes these VARCHAR lengths; changing one later is its own migration
CREATE TABLE ingredient_skin_effects (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    ingredient_id UUID NOT NULL,
    effect_type VARCHAR(100) NOT NULL,
    fitzpatrick_scale VARCHAR(10),
    efficacy_score DECIMAL(3,2),
    risk_level VARCHAR(50),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT ingredient_skin_effects_pkey PRIMARY KEY (id),
    CONSTRAINT ingredient_skin_effects_ingredient_id_fkey FOREIGN KEY (ingredient_id) REFERENCES ingredients_reference (id) ON DELETE RESTRICT,
    CONSTRAINT ingredient_skin_effects_effect_type_check CHECK (btrim(effect_type) <> ''),
    CONSTRAINT ingredient_skin_effects_fitzpatrick_scale_check CHECK (fitzpatrick_scale IN ('I', 'II', 'III', 'IV', 'V', 'VI')),
    CONSTRAINT ingredient_skin_effects_efficacy_score_check CHECK (efficacy_score BETWEEN 0 AND 1),
    CONSTRAINT ingredient_skin_effects_risk_level_check CHECK (risk_level IN ('none', 'low', 'moderate', 'high'))
);

CREATE INDEX idx_ingredient_effects_ingredient ON ingredient_skin_effects (ingredient_id);

COMMENT ON TABLE ingredient_skin_effects IS 'Curated effects of an ingredient on skin, optionally per Fitzpatrick type; an ingredient with effects cannot be deleted (RESTRICT).';
COMMENT ON COLUMN ingredient_skin_effects.fitzpatrick_scale IS 'Fitzpatrick phototype I to VI (Roman numeral) the effect applies to; NULL for all types.';
COMMENT ON COLUMN ingredient_skin_effects.efficacy_score IS 'Evidence-weighted efficacy from 0.00 (none) to 1.00 (strong).';
