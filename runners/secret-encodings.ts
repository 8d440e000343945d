// The forms of a secret that GitHub's runner masks besides the value itself: its
// SecretMasker runs every registered value through these encoders (ValueEncoders in
// actions/runner) and masks each non-empty result as a secret of its own. So a step that
// prints a secret base64-encoded, inside a JSON string, URL-encoded or in XML shows `***`.

/** One of the runner's value encoders; an empty answer registers nothing. */
export type SecretEncoding = (value: string) => string;

const base64 = (bytes: Buffer): string => bytes.toString("base64");

/**
 * Base64 of the value's UTF-8 bytes from byte `shift` on. A secret after a prefix
 * (`base64(user:password)`) starts 0, 1 or 2 bytes into a base64 group: the encodings of
 * the value cut by 1 and 2 bytes are the ones found in the middle of such a text.
 */
function base64From(shift: number): SecretEncoding {
  return (value) => {
    const bytes = Buffer.from(value, "utf8");
    return base64(bytes.length > shift ? bytes.subarray(shift) : bytes);
  };
}

/** As Newtonsoft's JsonConvert.ToString without the quotes: lower-case `\u00xx` escapes. */
function jsonString(value: string): string {
  let out = "";
  for (const c of value) {
    const code = c.charCodeAt(0);
    if (c === '"' || c === "\\") out += `\\${c}`;
    else if (JSON_SHORT[c] !== undefined) out += JSON_SHORT[c];
    else if (code < 0x20 || code === 0x85 || code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += c;
  }
  return out;
}
const JSON_SHORT: Record<string, string> = { "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * As .NET's Uri.EscapeDataString: every UTF-8 byte but RFC 3986's unreserved characters
 * (letters, digits, `-._~`) as `%XX`. Stricter than encodeURIComponent, which keeps `!'()*`.
 */
function uriData(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** As .NET's SecurityElement.Escape. */
function xmlData(value: string): string {
  return value.replace(/[&<>"']/g, (c) => XML_ENTITIES[c] ?? c);
}
const XML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/** A quoted value of more than 8 characters, without its quotes. */
function trimDoubleQuotes(value: string): string {
  return value.length > 8 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : "";
}

// PowerShell may print a secret holding `&` in two parts, split at the `&` (or after `&+`,
// whose next character it colours); each part of 6 characters or more is masked.
const SHORTEST_POWERSHELL_PART = 6;
const part = (s: string): string => (s.length >= SHORTEST_POWERSHELL_PART ? s : "");

function powerShellBeforeAmpersand(value: string): string {
  if (!value.includes("&")) return "";
  const plus = value.indexOf("&+");
  return part(plus >= 0 ? value.slice(0, plus + 2) : value.slice(0, value.lastIndexOf("&") + 1));
}

function powerShellAfterAmpersand(value: string): string {
  if (!value.includes("&")) return "";
  const plus = value.indexOf("&+");
  if (plus < 0) return part(value.slice(value.lastIndexOf("&") + 1));
  return value.length > plus + 3 ? part(value.slice(plus + 3)) : "";
}

/** The runner's encoders, in the order it registers them. */
export const SECRET_ENCODINGS: readonly SecretEncoding[] = [
  base64From(0),
  base64From(1),
  base64From(2),
  // As the runner passes an env value to `docker` on a command line.
  (value) => value.replaceAll('"', '\\"'),
  // As an expression's string literal.
  (value) => value.replaceAll("'", "''"),
  jsonString,
  uriData,
  xmlData,
  trimDoubleQuotes,
  powerShellBeforeAmpersand,
  powerShellAfterAmpersand,
];

/** The value and every non-empty encoding of it, each once. */
export function secretForms(value: string): string[] {
  return [...new Set([value, ...SECRET_ENCODINGS.map((encode) => encode(value))])].filter((v) => v !== "");
}
