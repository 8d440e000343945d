// GitHub Actions expressions with GitHub's semantics: @actions/expressions parses them, and
// the evaluator follows actions/runner where the library differs (see library-differences.test.ts).
export { ALL_CONTEXTS, STATUS_FUNCTIONS, type AllowedNames, type ContextName } from "./allowed-names.js";
export { ExpressionEvaluationError, ExpressionSyntaxError } from "./errors.js";
export type { EvalOptions, StatusView } from "./eval-options.js";
export { checkExpression } from "./check-expression.js";
export { checkTemplate, findExpressions, type ExpressionProblem, type FoundExpression } from "./find-expressions.js";
export { checkCondition, evaluateCondition, evaluateConditionAsync } from "./evaluate-condition.js";
export {
  evaluate,
  evaluateAsync,
  evaluateTemplate,
  evaluateTemplateAsync,
  interpolate,
  interpolateAsync,
} from "./evaluate.js";
export { coerceToString } from "./coerce-to-string.js";
export { toGitHubJson } from "./to-github-json.js";
export { formatGitHubNumber, parseGitHubNumber } from "./github-number.js";
export { hashFiles } from "./hash-files.js";
