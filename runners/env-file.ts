/**
 * Parses the files a step writes through GITHUB_OUTPUT, GITHUB_ENV and GITHUB_STATE:
 * `name=value` lines and `name<<DELIMITER` heredocs, as the runner reads them.
 */
export function parseEnvFile(text: string): { values: [string, string][]; error?: string } {
  const values: [string, string][] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line === "") continue;
    const eq = line.indexOf("=");
    const heredoc = line.indexOf("<<");
    // `<<` before any `=` makes a heredoc, even at the start of the line (the runner then
    // refuses the empty name rather than reading `<<X=y` as a variable named `<<X`).
    if (heredoc >= 0 && (eq < 0 || heredoc < eq)) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (!name || !delimiter) return { values, error: `invalid line ${i + 1}: '${line}'` };
      const body: string[] = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === delimiter) {
          closed = true;
          break;
        }
        body.push(lines[i] ?? "");
      }
      if (!closed) return { values, error: `matching delimiter '${delimiter}' not found for '${name}'` };
      values.push([name, body.join("\n")]);
    } else if (eq > 0) {
      values.push([line.slice(0, eq), line.slice(eq + 1)]);
    } else {
      return { values, error: `invalid line ${i + 1}: '${line}' (expected name=value or name<<DELIMITER)` };
    }
  }
  return { values };
}

/** GITHUB_PATH: one directory a line. */
export function parsePathFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}
