// Numbers as the runner reads and prints them: .NET's Double parsing with JavaScript-like
// extras (ExpressionUtility.ParseNumber), and the "G15" format for printing.

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INFINITY = /^([+-]?)infinity$/i;
const UINT32_LIMIT = 2 ** 32;

/** How GitHub prints a number in a string: 15 significant digits, .NET's "G15". */
export function formatGitHubNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "Infinity";
  if (n === -Infinity) return "-Infinity";
  // .NET Core 3.0+ prints negative zero with its sign.
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";
  const [mantissa = "0", expText = "0"] = n.toExponential(14).split("e");
  const exp = Number(expText);
  const sign = mantissa.startsWith("-") ? "-" : "";
  const digits = mantissa.replace(/[-.]/g, "").replace(/0+$/, "") || "0";
  // "G": fixed-point when -5 < exponent < precision, scientific otherwise.
  if (exp <= -5 || exp >= 15) {
    const frac = digits.slice(1);
    const expSign = exp < 0 ? "-" : "+";
    return `${sign}${digits[0]}${frac ? `.${frac}` : ""}E${expSign}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const int = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const frac = digits.slice(exp + 1);
  return `${sign}${int}${frac ? `.${frac}` : ""}`;
}

/** How GitHub turns a string into a number (for comparisons and number literals); NaN when it cannot. */
export function parseGitHubNumber(text: string): number {
  const s = text.trim();
  if (s === "") return 0;
  if (DECIMAL.test(s)) return Number(s);
  const inf = INFINITY.exec(s);
  if (inf) return inf[1] === "-" ? -Infinity : Infinity;
  // 0x… and 0o… are read as 32-bit integers (values past 0x7fffffff wrap, as Int32 does).
  const radix = /^0x[0-9a-fA-F]+$/.test(s) ? 16 : /^0o[0-7]+$/.test(s) ? 8 : 0;
  if (radix === 0) return NaN;
  const value = parseInt(s.slice(2), radix);
  if (value >= UINT32_LIMIT) return NaN;
  return value >= UINT32_LIMIT / 2 ? value - UINT32_LIMIT : value;
}
