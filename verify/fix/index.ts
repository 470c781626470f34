// verify-migrations --fix and --fix-dry-run: public API of the fixes.
export { planFixes, type FixPlan, type FileEdit, type NewFile } from './plan.js';
export { fixedFiles, unifiedDiff, writeFixedFiles, type FixedFile } from './apply.js';
