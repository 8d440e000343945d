import semver from "semver";

// The version rules of actions/setup-go, setup-java and setup-python, for the built-ins
// that take the job image's toolchain: what a version input or file asks for, and whether
// a version the image has is one of those. Pure: the built-ins ask the image.

/** What a step asks for: a semver range (`1.24`, `^3.11`, `>=17`), or a word replay cannot resolve offline (`stable`). */
export interface VersionAsk {
  /** As the workflow wrote it, for messages. */
  text: string;
  /** A semver range, or undefined for a word (stable, oldstable, latest). */
  range?: string;
  /** go.mod's `go` line: a minimum within its minor release (Go's rule), not an exact version. */
  minimum?: boolean;
}

/** `1.24`, `1.24.x`, `^1.24`, `1.25rc1`, `go1.24.4` as semver ranges; setup-go's normalisation. */
export function goAsk(text: string): VersionAsk {
  const t = text.trim().replace(/^go/, "");
  if (/^(stable|oldstable|latest)$/i.test(t)) return { text };
  const pre = /^(\d+\.\d+)(?:\.(\d+))?(rc|beta)(\d+)$/.exec(t);
  if (pre) return { text, range: `${pre[1]}.${pre[2] ?? "0"}-${pre[3]}.${pre[4]}` };
  return { text, range: t };
}

/** go.mod / go.work: the `toolchain` directive (exact), else the `go` line (a minimum); `.go-version`; `.tool-versions`' golang. */
export function goVersionFile(name: string, text: string): VersionAsk | undefined {
  const base = name.split("/").pop() ?? name;
  if (base === "go.mod" || base === "go.work") {
    const toolchain = /^toolchain\s+go(\d+\.\d+(?:\.\d+)?(?:rc\d+|beta\d+)?)\s*$/m.exec(text)?.[1];
    if (toolchain) return { ...goAsk(toolchain), text: `${toolchain} (${base}'s toolchain directive)` };
    const go = /^go\s+(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(text)?.[1];
    if (!go) return undefined;
    const [major, minor, patch] = go.split(".");
    return { text: `${go} (${base}'s go directive)`, range: `>=${major}.${minor}.${patch ?? "0"} <${major}.${Number(minor) + 1}.0-0`, minimum: true };
  }
  if (base === ".tool-versions") {
    const v = /^golang\s+(\S+)/m.exec(text)?.[1];
    return v ? goAsk(v) : undefined;
  }
  const v = text.trim().split("\n")[0]?.trim();
  return v ? goAsk(v) : undefined;
}

/** setup-python's `python-version`: `3.11`, `3.11.4`, `3.x`, `>=3.9 <3.13`, `3.13-dev`; PyPy and free-threaded builds are not CPython ranges. */
export function pythonAsk(text: string): VersionAsk | { unsupported: string } {
  const t = text.trim();
  if (/^(pypy|graalpy)/i.test(t)) return { unsupported: `${t} is not CPython` };
  if (/^\d+\.\d+t$/.test(t)) return { unsupported: `${t} is a free-threaded build` };
  const dev = /^(\d+\.\d+)-dev$/.exec(t);
  if (dev) return { text: t, range: `~${dev[1]}.0-0` };
  return { text: t, range: t };
}

/** `.python-version` (its first version line), `.tool-versions`' python, pyproject.toml's `requires-python`, Pipfile's `python_version`. */
export function pythonVersionFile(name: string, text: string): string | undefined {
  const base = name.split("/").pop() ?? name;
  if (base === ".tool-versions") return /^python\s+(\S+)/m.exec(text)?.[1];
  if (base === "pyproject.toml") return /^\s*requires-python\s*=\s*["']([^"']+)["']/m.exec(text)?.[1]?.replace(/,\s*/g, " ");
  if (base === "Pipfile") return /^\s*python_(?:full_)?version\s*=\s*["']([^"']+)["']/m.exec(text)?.[1];
  return text.split("\n").map((l) => l.trim()).find((l) => l && !l.startsWith("#"));
}

/** setup-java's `java-version`: `17`, `17.0.2`, `17.0.2+8`, `1.8` (= 8), `21-ea`, `17.x`. */
export function javaAsk(text: string): VersionAsk {
  let t = text.trim().replace(/^1\.8/, "8");
  t = t.replace(/-ea$/, "");
  // `17.0.2+8`: the build number is not part of semver's comparison; replay matches the version.
  t = t.replace(/\+.*$/, "");
  return { text: text.trim(), range: t };
}

/** `.java-version`, `.tool-versions`' java (`temurin-17.0.2`), `.sdkmanrc`'s `java=17.0.2-tem`. */
export function javaVersionFile(name: string, text: string): string | undefined {
  const base = name.split("/").pop() ?? name;
  const raw =
    base === ".tool-versions" ? /^java\s+(\S+)/m.exec(text)?.[1] : base === ".sdkmanrc" ? /^java\s*=\s*(\S+)/m.exec(text)?.[1] : text.trim().split("\n")[0]?.trim();
  return raw ? /(\d+(?:\.\d+)*)/.exec(raw)?.[1] : undefined;
}

/** A toolchain's own version string as semver: `17.0.21.1` → 17.0.21, `1.24` → 1.24.0, Java 8's `1.8.0_392` → 8.0.392. */
export function toSemver(version: string): string | undefined {
  const java8 = /^1\.(\d)\.0_(\d+)$/.exec(version);
  return semver.coerce(java8 ? `${java8[1]}.0.${java8[2]}` : version, { includePrerelease: true })?.version;
}

/** Whether the image's `version` is one of those `ask` names; undefined for a word (stable) no range decides. */
export function satisfies(version: string, ask: VersionAsk): boolean | undefined {
  if (ask.range === undefined) return undefined;
  const v = toSemver(version);
  if (!v || !semver.validRange(ask.range)) return false;
  return semver.satisfies(v, ask.range, { includePrerelease: true });
}

/** The newest of `versions` that `ask` takes. */
export function newestSatisfying(versions: readonly string[], ask: VersionAsk): string | undefined {
  return [...versions].filter((v) => satisfies(v, ask) === true).sort((a, b) => semver.rcompare(toSemver(a) ?? "0.0.0", toSemver(b) ?? "0.0.0"))[0];
}
