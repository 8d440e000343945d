import path from "node:path";
import { UsageError, assertNever } from "../../common/index.js";
import { IMAGE_NAMES, ensureImage, findPackageRoot, imageId, imageParity, isImageName } from "../../runners/docker/index.js";
import type { ParityItem, ParityReport } from "../../runners/docker/index.js";
import { table } from "./images-command.js";
import type { ImagesCommandContext } from "./images-command.js";

// `replay images parity [image]`: how one of replay's images (default runner), or any
// image on the engine, compares with GitHub's ubuntu-24.04 runner image, section by
// section, with the versions read inside it. --json prints the whole report.

/** The tag to compare: replay's image of that name (built when missing), else the reference as given. */
async function resolveImage(c: ImagesCommandContext, name: string): Promise<string> {
  if (isImageName(name)) return ensureImage(c.docker, { name, ...(c.caCertsFile ? { caCertsFile: c.caCertsFile } : {}) });
  if ((await imageId(c.docker, name)) !== undefined) return name;
  throw new UsageError(`no image '${name}' on the engine`, `name one of replay's images (${IMAGE_NAMES.join(", ")}) or an image the engine has`);
}

export async function imagesParity(c: ImagesCommandContext, name: string | undefined): Promise<number> {
  const tag = await resolveImage(c, name ?? "runner");
  const report = await imageParity(c.docker, tag, path.join(findPackageRoot(), "images"));
  c.out(c.json ? `${JSON.stringify(report, null, 2)}\n` : formatParity(report));
  return 0;
}

const versions = (vs: readonly string[]): string => (vs.length ? vs.join(", ") : "present");

function itemRow(i: ParityItem): string[] {
  const github = i.referenceVersions.length ? `GitHub ${i.referenceVersions.join(", ")}` : "";
  switch (i.status) {
    case "same":
    case "other":
      return [`  ${i.status}`, i.name, versions(i.found), [github, i.note].filter(Boolean).join("; ")];
    case "missing":
      return ["  missing", i.name, i.reason?.category ?? "", [github, i.reason?.note].filter(Boolean).join("; ")];
    default:
      return assertNever(i.status);
  }
}

export function formatParity(r: ParityReport): string {
  const t = r.totals;
  const head = `${r.image} against GitHub's ${r.reference.image} (${r.reference.imageVersion}): ${t.same} at the same major version, ${t.other} at another, ${t.missing} missing\n\n`;
  const summary = table([["SECTION", "SAME", "OTHER", "MISSING"], ...r.sections.map((s) => [s.name, String(s.counts.same), String(s.counts.other), String(s.counts.missing)])]);
  const details = r.sections.map((s) => `\n${s.name}\n${table(s.items.map(itemRow))}`).join("");
  return head + summary + details;
}
