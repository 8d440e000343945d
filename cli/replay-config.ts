import { readFile } from "node:fs/promises";
import path from "node:path";
import * as z from "../common/zod.js";
import { WorkflowProblemsError } from "../common/index.js";
import type { Problem } from "../common/index.js";
import { parseYamlFile } from "../workflows/index.js";

/** `.replay.yml` in the repository root: the user's settings for replays of this repo. */
const configSchema = z.strictObject({
  /** runs-on label -> image, like --image label=image. */
  images: z.optional(z.record(z.string(), z.string())),
  /** Extra CA certificates (PEM) for the images, like REPLAY_CA_CERTS. */
  caCerts: z.optional(z.string()),
  /** GitHub's runner sizes as container limits, like --runner-size. */
  "runner-size": z.optional(z.enum(["public", "private", "host"])),
  /** Sizes of larger-runner (or any other) runs-on labels: `label: { cpus: 8, memory: 32G }`. */
  "runner-sizes": z.optional(
    z.record(
      z.string(),
      z.strictObject({
        cpus: z.number().check(z.positive()),
        memory: z.union([z.number().check(z.int(), z.positive()), z.string().check(z.regex(/^\d+(\.\d+)?\s*[kmgt]?(i?b)?$/i, "a size like 32G, 7GB or 512M"))]),
      }),
    ),
  ),
  /** The engines replays spread their jobs over, each a Docker context or a URL with its job slots (default: --parallel's). */
  engines: z.optional(
    z.array(z.strictObject({ engine: z.string().check(z.minLength(1)), slots: z.optional(z.int().check(z.positive())) })).check(z.minLength(1)),
  ),
  /** Settings of the pre-push hook. */
  hook: z.optional(z.strictObject({ jobs: z.optional(z.array(z.string())), timeout: z.optional(z.string()) })),
});

export type ReplayConfig = z.infer<typeof configSchema>;

export const CONFIG_FILE = ".replay.yml";

export async function readReplayConfig(repoDir: string): Promise<ReplayConfig> {
  const file = path.join(repoDir, CONFIG_FILE);
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return {};
  const { value, problems, problemAt } = parseYamlFile(CONFIG_FILE, text);
  if (problems.length) throw new WorkflowProblemsError(problems, { hint: `fix ${CONFIG_FILE}` });
  const parsed = configSchema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const found: Problem[] = parsed.error.issues.map((i) => {
    const p = i.path.filter((x): x is string | number => typeof x !== "symbol");
    const msg = i.code === "unrecognized_keys" ? `unknown key${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `'${k}'`).join(", ")}` : `'${p.join(".")}': ${i.message}`;
    return problemAt(p, msg);
  });
  throw new WorkflowProblemsError(found, { hint: `fix ${CONFIG_FILE} (keys: images, caCerts, runner-size, runner-sizes, engines, hook)` });
}
