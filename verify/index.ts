// Public API of the verifier.
export { verify, BUILTIN_RULES, UsageError, type VerifyInput, type VerifyResult } from './engine.js';
export { rules } from './rules/index.js';
export { defineRule, formatMessage, type Rule, type RuleMeta, type RuleContext, type Violation, type Severity, type RuleSetting } from './rule.js';
export { formatText, formatJson, formatSarif, formatGithub, render, type Format, type VerifyReport } from './report/index.js';
export { SchemaModel } from './schema-model.js';
export { parseSql, loadParser } from '../core/migrations/parse.js';
