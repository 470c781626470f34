// Other names a rule answers to in directives, --rule and the config file: squawk's older spellings.
export const RULE_ALIASES: Readonly<Record<string, string>> = {
  'prefer-timestamptz': 'prefer-timestamp-tz',
  'require-lock-timeout': 'require-timeout-settings',
  'require-statement-timeout': 'require-timeout-settings',
};

export function canonicalRule(name: string): string {
  return RULE_ALIASES[name] ?? name;
}
