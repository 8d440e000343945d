const ASCII = /^\p{ASCII}*$/u;

/**
 * Upper-case as .NET's OrdinalIgnoreCase compares: one character for one (so 'ß' stays 'ß',
 * where JavaScript's toUpperCase gives 'SS'), and the dotless 'ı' is left alone.
 */
export function upperOrdinal(s: string): string {
  if (ASCII.test(s)) return s.toUpperCase();
  let out = "";
  for (const ch of s) {
    const up = ch === "\u0131" ? ch : ch.toUpperCase();
    out += up.length === ch.length ? up : ch;
  }
  return out;
}
