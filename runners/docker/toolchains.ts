import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import * as z from "../../common/zod.js";
import { ImageUnavailableError, replayCacheDir } from "../../common/index.js";

// images/toolchains.yml is the one place toolchain versions and their checksums live.
// Each entry becomes build args <arg>_VERSION and <arg>_URL, plus <arg>_SHA256 or
// <arg>_SHA512 for a download, or <arg>_SUITE and <arg>_PACKAGES for Debian packages
// (apt checks those against the archive's signed index), passed to the Dockerfiles that
// declare them.

const hex = (digits: number): z.ZodMiniString<string> => z.string().check(z.regex(new RegExp(`^[0-9a-f]{${digits}}$`), `${digits} lower-case hex digits`));
const nonEmpty = (): z.ZodMiniString<string> => z.string().check(z.minLength(1));

const toolchainSchema = z
  .object({
    arg: z.string().check(z.regex(/^[A-Z][A-Z0-9_]*$/, "an upper-case build-arg prefix")),
    name: nonEmpty(),
    version: nonEmpty(),
    url: z.url(),
    sha256: z.optional(hex(64)),
    sha512: z.optional(hex(128)),
    apt: z.optional(z.object({ suite: nonEmpty(), packages: z.array(nonEmpty()).check(z.minLength(1)) })),
  })
  .check(
    z.refine((t) => [t.sha256, t.sha512, t.apt].filter((x) => x !== undefined).length === 1, {
      message: "needs exactly one of sha256, sha512 (a download) or apt (Debian packages)",
    }),
  );

const manifestSchema = z.object({ toolchains: z.array(toolchainSchema) });

export type Toolchain = z.infer<typeof toolchainSchema>;

export const TOOLCHAINS_FILE = "toolchains.yml";

export async function readToolchains(imagesDir: string, cacheDir?: string): Promise<Toolchain[]> {
  const file = path.join(imagesDir, TOOLCHAINS_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new ImageUnavailableError(`cannot read the toolchain manifest ${file}`, {
      hint: "reinstall replay: the manifest ships in its images/ folder",
      cause,
    });
  }
  const { data, kept } = await parseKept(text, cacheDir ?? replayCacheDir("manifests"));
  let parsed = manifestSchema.safeParse(data);
  // What was kept is not trusted with a refusal: the text itself says whether it is malformed.
  if (!parsed.success && kept) parsed = manifestSchema.safeParse(parse(text));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new ImageUnavailableError(`the toolchain manifest ${file} is malformed:\n${problems}`, {
      hint: "see images/README.md for the format",
      cause: parsed.error,
    });
  }
  return parsed.data.toolchains;
}

/**
 * The manifest's YAML as data. Every replay checks its images and so reads it, and YAML
 * is the slow part of that (~10 ms of a replay's start): the data is kept as JSON under
 * the text's hash, so a manifest is parsed once per content. The schema still checks
 * what comes back, kept or not. A cache that cannot be read or written costs the parse.
 */
async function parseKept(text: string, cacheDir: string): Promise<{ data: unknown; kept: boolean }> {
  const file = path.join(cacheDir, `toolchains-${createHash("sha256").update(text).digest("hex").slice(0, 32)}.json`);
  const kept = await readFile(file, "utf8")
    .then((json): unknown => JSON.parse(json))
    .catch(() => undefined);
  if (kept !== undefined) return { data: kept, kept: true };
  const data: unknown = parse(text);
  const tmp = `${file}.${process.pid}.tmp`;
  // Written whole or not at all (a rename), so a reader never sees half of it.
  await mkdir(cacheDir, { recursive: true })
    .then(() => writeFile(tmp, JSON.stringify(data)))
    .then(() => rename(tmp, file))
    .catch(() => undefined);
  return { data, kept: false };
}

/** Every build arg the manifest defines, name to value. */
export function toolchainArgs(toolchains: readonly Toolchain[]): Map<string, string> {
  const args = new Map<string, string>();
  for (const t of toolchains) {
    args.set(`${t.arg}_VERSION`, t.version);
    args.set(`${t.arg}_URL`, t.url);
    if (t.sha256 !== undefined) args.set(`${t.arg}_SHA256`, t.sha256);
    if (t.sha512 !== undefined) args.set(`${t.arg}_SHA512`, t.sha512);
    if (t.apt !== undefined) {
      args.set(`${t.arg}_SUITE`, t.apt.suite);
      args.set(`${t.arg}_PACKAGES`, t.apt.packages.join(" "));
    }
  }
  return args;
}

/** Where `lock` gets an entry's checksum from. */
export type ToolchainSource = "npm" | "apt" | "download";

export function toolchainSource(t: Toolchain): ToolchainSource {
  if (t.apt !== undefined) return "apt";
  return new URL(t.url).host === "registry.npmjs.org" ? "npm" : "download";
}

/** The ARG instructions of a Dockerfile, name to default (undefined when it has none). */
export function dockerfileArgs(dockerfile: string): Map<string, string | undefined> {
  const args = new Map<string, string | undefined>();
  for (const line of dockerfile.split("\n")) {
    const m = /^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/i.exec(line.trimEnd());
    if (m?.[1] === undefined) continue;
    const value = m[2]?.trim().replace(/^"(.*)"$|^'(.*)'$/, "$1$2");
    args.set(m[1], value);
  }
  return args;
}

/** The manifest's values for the args this Dockerfile declares. */
export function buildArgsFor(dockerfile: string, toolchains: readonly Toolchain[]): Record<string, string> {
  const declared = dockerfileArgs(dockerfile);
  const out: Record<string, string> = {};
  for (const [name, value] of toolchainArgs(toolchains)) {
    if (declared.has(name)) out[name] = value;
  }
  return out;
}
