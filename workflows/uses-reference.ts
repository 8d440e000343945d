export type UsesReference =
  | { kind: "local"; path: string }
  | { kind: "docker"; image: string }
  | { kind: "remote"; owner: string; repo: string; path: string; ref: string };

const REMOTE = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)((?:\/[^@/]+)*)@([^@\s]+)$/;

/** Parse a `uses:` value; undefined when it is malformed. */
export function parseUsesReference(uses: string): UsesReference | undefined {
  if (uses.startsWith("./")) return { kind: "local", path: uses.slice(2).replace(/\/+$/, "") };
  if (uses.startsWith("docker://")) {
    const image = uses.slice("docker://".length);
    return image ? { kind: "docker", image } : undefined;
  }
  const m = REMOTE.exec(uses);
  if (!m) return undefined;
  return { kind: "remote", owner: m[1] ?? "", repo: m[2] ?? "", path: (m[3] ?? "").replace(/^\//, ""), ref: m[4] ?? "" };
}

/** What is wrong with a `uses:` value, or undefined when it is well formed. */
export function checkUsesReference(uses: string, where: "action" | "workflow"): string | undefined {
  const ref = parseUsesReference(uses);
  const forms =
    where === "action"
      ? "`./path`, `docker://image` or `owner/repo[/path]@ref`"
      : "`./.github/workflows/file.yml` or `owner/repo/.github/workflows/file.yml@ref`";
  if (!ref) return `'${uses}' is not a valid 'uses' reference; expected ${forms}`;
  if (where === "workflow") {
    if (ref.kind === "docker") return `'${uses}': a job can only call a workflow, not a Docker image`;
    const path = ref.path;
    if (!/^\.github\/workflows\/[^/]+\.ya?ml$/.test(path)) {
      return `'${uses}' does not name a workflow file; expected ${forms}`;
    }
  }
  return undefined;
}
