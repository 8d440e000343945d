import type { AllowedNames } from "./allowed-names.js";
import { parseExpression } from "./parse-expression.js";

/** Check one `${{ }}` body (or a whole `if:`); throws ExpressionSyntaxError with an offset into `body`. */
export function checkExpression(body: string, allowed?: AllowedNames): void {
  parseExpression(body, allowed);
}
