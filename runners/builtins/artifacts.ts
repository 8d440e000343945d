import { createReadStream, createWriteStream } from "node:fs";
import { chmod, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { filterMatches } from "../../workflows/index.js";
import type { BuiltinAction } from "../builtin-actions.js";
import type { StepHost } from "../job/step-host.js";
import { fileToTar, readZipEntries, tarToZip, validArtifactName, zipToTar } from "../services/index.js";
import type { ArtifactRecord, RunStores } from "../services/index.js";

// upload-artifact@v4 and download-artifact@v4 over the run's artifact store, which the
// artifact service serves to @actions/artifact as well: the same zips, names, ids and
// digests whichever side wrote them.

const GLOB_CHARS = /[*?[{]/;

/** The part of a pattern before its first wildcard segment: where the search starts. */
export function searchRoot(pattern: string): string {
  const parts = pattern.replace(/\/+$/, "").split("/");
  const fixed: string[] = [];
  for (const p of parts) {
    if (GLOB_CHARS.test(p)) break;
    fixed.push(p);
  }
  return fixed.join("/") || ".";
}

/** The least common ancestor of folders, as upload-artifact picks the artifact root. */
export function commonAncestor(dirs: string[]): string {
  if (dirs.length === 0) return ".";
  const split = dirs.map((d) => path.posix.normalize(d).split("/").filter((s) => s !== "."));
  const first = split[0] ?? [];
  let n = 0;
  while (n < first.length && split.every((s) => s[n] === first[n])) n++;
  return first.slice(0, n).join("/") || ".";
}

/**
 * Whether a found file is hidden as @actions/glob's excludeHiddenFiles sees it: a name
 * starting with a dot at or below the pattern's search root.
 */
export function isHidden(file: string, root: string): boolean {
  const r = path.posix.normalize(root);
  const rel = path.posix.relative(r, path.posix.normalize(file));
  const names = [...(r === "." || r === "/" ? [] : [path.posix.basename(r)]), ...rel.split("/")];
  return names.some((n) => n.startsWith(".") && n !== "." && n !== "..");
}

function patternLines(input: string | undefined): string[] {
  return (input ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
}

const LIST_SCRIPT = [
  "shopt -s globstar nullglob dotglob",
  "IFS=",
  "i=0",
  'for p in "$@"; do',
  "  for f in $p; do",
  '    if [ -d "$f" ]; then echo "D $i ${f%/}"; find "$f" -type f -printf "F $i %p\\n"; elif [ -f "$f" ]; then echo "F $i $f"; fi',
  "  done",
  "  i=$((i+1))",
  "done",
].join("\n");

async function listMatches(host: StepHost, patterns: string[], includeHidden: boolean): Promise<{ files: string[]; dirs: Set<string> }> {
  const include = patterns.filter((p) => !p.startsWith("!"));
  const r = await host.exec(["bash", "-c", LIST_SCRIPT, "list", ...include], { quiet: true });
  const files = new Set<string>();
  const dirs = new Set<string>();
  for (const line of r.stdout.split("\n")) {
    const m = /^([FD]) (\d+) (.*)$/.exec(line);
    if (!m) continue;
    const f = path.posix.normalize(m[3] ?? "");
    if (m[1] === "D") {
      dirs.add(f);
      continue;
    }
    if (!includeHidden && isHidden(f, searchRoot(include[Number(m[2])] ?? "."))) continue;
    files.add(f);
  }
  const keep = [...files].filter((f) => filterMatches(patterns.map((p) => (p.startsWith("!") ? p : "**")), f));
  return { files: keep.sort(), dirs };
}

/** The job's user, for the owner of downloaded files. */
async function jobIds(host: StepHost): Promise<{ uid: number; gid: number }> {
  const r = await host.exec(["sh", "-c", "id -u; id -g"], { quiet: true });
  const [uid = 1001, gid = 1001] = r.stdout.trim().split("\n").map(Number);
  return { uid, gid };
}

export function uploadArtifact(stores: RunStores): BuiltinAction {
  return {
    name: "actions/upload-artifact",
    async main(host) {
      const name = host.inputs["name"] || "artifact";
      const patterns = patternLines(host.inputs["path"]);
      const ifNone = (host.inputs["if-no-files-found"] || "warn").toLowerCase();
      const level = Number(host.inputs["compression-level"] || "6");
      if (patterns.length === 0) {
        host.log("##[error]Input required and not supplied: path");
        return false;
      }
      if (!Number.isInteger(level) || level < 0 || level > 9) {
        host.log("##[error]Invalid compression-level. Valid values are 0-9");
        return false;
      }
      if (!validArtifactName(name)) {
        host.log(`##[error]The artifact name is not valid: ${name}. Contains the following character(s): " : < > | * ? \\r \\n \\ /`);
        return false;
      }
      const { files, dirs } = await listMatches(host, patterns, host.inputs["include-hidden-files"] === "true");
      if (files.length === 0) {
        const msg = `No files were found with the provided path: ${patterns.join(", ")}. No artifacts will be uploaded.`;
        if (ifNone === "error") {
          host.log(`##[error]${msg}`);
          return false;
        }
        host.log(ifNone === "warn" ? `##[warning]${msg}` : msg);
        return true;
      }
      const roots = patterns
        .filter((p) => !p.startsWith("!"))
        .map((p) => {
          const r = searchRoot(p);
          // A single file named without a wildcard is stored by its name: its folder is the root.
          return dirs.has(path.posix.normalize(r)) || GLOB_CHARS.test(p) ? r : path.posix.dirname(r);
        });
      const root = commonAncestor(roots);
      host.log(`With the provided path, there will be ${files.length} file${files.length === 1 ? "" : "s"} uploaded`);
      host.log("Artifact name is valid!");
      host.log("Root directory input is valid!");
      if (await stores.artifacts.get(name)) {
        if (host.inputs["overwrite"] !== "true") {
          host.log("##[error]Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: an artifact with this name already exists on the workflow run");
          return false;
        }
        const deleted = await stores.artifacts.delete(name);
        if (deleted) host.log(`Artifact '${name}' (ID: ${deleted.id}) deleted`);
      }
      // The files are put in a tar inside the container (following symlinks, as the
      // zip of upload-artifact holds their targets), the zip is written on the host.
      const exchange = path.join(host.hostDir, `artifact-${host.stepIndex}`);
      await mkdir(exchange, { recursive: true });
      await chmod(exchange, 0o777);
      try {
        const rel = files.map((f) => path.posix.relative(root, f));
        const tarFile = `${host.paths.fileCommands}/artifact-${host.stepIndex}/files.tar`;
        const r = await host.exec(["bash", "-c", 'out="$0"; cd "$1"; shift; tar -chf "$out" --no-recursion -- "$@"', tarFile, root, ...rel], { quiet: true });
        if (r.exitCode !== 0) {
          host.log(`##[error]could not read the files to upload (tar exited with ${r.exitCode})`);
          return false;
        }
        const upload = await stores.artifacts.begin({ name, mimeType: "application/zip", runBackendId: host.deps.run.runId, jobBackendId: host.cell.jobKey });
        host.log("Beginning upload of artifact content to blob storage");
        let record: ArtifactRecord | undefined;
        try {
          await tarToZip(createReadStream(path.join(exchange, "files.tar")), createWriteStream(upload.blobPath), level);
          record = await upload.finalize();
        } finally {
          if (!record) await upload.abort();
        }
        if (!record) {
          host.log("##[error]Failed to FinalizeArtifact: an artifact with this name already exists on the workflow run");
          return false;
        }
        const digest = record.digest.replace(/^sha256:/, "");
        host.log(`Uploaded bytes ${record.sizeBytes}`);
        host.log("Finished uploading artifact content to blob storage!");
        host.log(`SHA256 digest of uploaded artifact zip is ${digest}`);
        host.log("Finalizing artifact upload");
        host.log(`Artifact ${name}.zip successfully finalized. Artifact ID ${record.id}`);
        host.log(`Artifact ${name} has been successfully uploaded! Final size is ${record.sizeBytes} bytes. Artifact ID is ${record.id}`);
        const url = `${host.deps.run.serverUrl}/${host.deps.repo.fullName}/actions/runs/${host.deps.run.runId}/artifacts/${record.id}`;
        host.log(`Artifact download URL: ${url}`);
        host.setOutput("artifact-id", String(record.id));
        host.setOutput("artifact-url", url);
        host.setOutput("artifact-digest", digest);
        return true;
      } finally {
        await rm(exchange, { recursive: true, force: true });
      }
    },
  };
}

export function downloadArtifact(stores: RunStores): BuiltinAction {
  return {
    name: "actions/download-artifact",
    async main(host) {
      const name = host.inputs["name"];
      const pattern = host.inputs["pattern"];
      const ids = (host.inputs["artifact-ids"] ?? "").split(",").map((s) => s.trim()).filter(Boolean);
      const merge = host.inputs["merge-multiple"] === "true";
      const runId = host.inputs["run-id"];
      const rawPath = (host.inputs["path"] || ".").replace(/^~(?=\/|$)/, host.paths.home);
      const dest = path.posix.resolve(host.workspace, rawPath);
      if (runId && runId !== host.deps.run.runId) {
        host.log(`##[error]replay downloads the artifacts of the run it replays, not of run ${runId}`);
        return false;
      }
      if (name && ids.length) {
        host.log("##[error]Inputs 'name' and 'artifact-ids' cannot be used together. Please specify only one.");
        return false;
      }
      let chosen: { record: ArtifactRecord; into: string }[];
      if (name) {
        const record = await stores.artifacts.get(name);
        if (!record) {
          host.log(`##[error]Unable to download artifact(s): Artifact not found for name: ${name}`);
          host.log("        Please ensure that your artifact is not expired and the artifact was uploaded using a compatible version of toolkit/upload-artifact.");
          return false;
        }
        host.log("Downloading single artifact");
        chosen = [{ record, into: dest }];
      } else {
        const all = await stores.artifacts.list();
        let found = ids.length ? all.filter((a) => ids.includes(String(a.id))) : all;
        host.log(`No input name${ids.length ? "" : " or artifact-ids"} specified, downloading ${ids.length ? "artifacts by id" : "all artifacts"}`);
        if (pattern) {
          found = found.filter((a) => filterMatches([pattern], a.name));
          host.log(`Filtered from ${all.length} to ${found.length} artifacts`);
        }
        if (!merge && found.length > 0) host.log("Multiple artifacts will be downloaded to individual directories");
        // Without a name, each artifact gets a folder of its own unless merge-multiple.
        chosen = found.map((record) => ({ record, into: merge ? dest : path.posix.join(dest, record.name) }));
      }
      if (chosen.length) {
        host.log("Preparing to download the following artifacts:");
        for (const c of chosen) host.log(`- ${c.record.name} (ID: ${c.record.id}, Size: ${c.record.sizeBytes}, Expected Digest: ${c.record.digest})`);
      }
      const owner = await jobIds(host);
      for (const c of chosen) {
        const mk = await host.exec(["mkdir", "-p", c.into], { quiet: true });
        if (mk.exitCode !== 0) {
          host.log(`##[error]could not create ${c.into}`);
          return false;
        }
        const blob = stores.artifacts.blobPath(c.record.name);
        try {
          const tar = c.record.mimeType === "application/zip" ? zipToTar(blob, await readZipEntries(blob), owner) : fileToTar(blob, c.record.name, c.record.sizeBytes, owner);
          await host.container.copyIn(tar, c.into);
        } catch (e) {
          host.log(`##[error]Unable to download and extract artifact: ${e instanceof Error ? e.message : String(e)}`);
          return false;
        }
        host.log(`Artifact ${c.record.name} was downloaded to ${c.into}`);
        host.log(`SHA256 digest of downloaded artifact is ${c.record.digest.replace(/^sha256:/, "")}`);
      }
      host.log(`Total of ${chosen.length} artifact(s) downloaded`);
      host.log("Download artifact has finished successfully");
      host.setOutput("download-path", dest);
      return true;
    },
  };
}
