import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readFile, readdir, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";

/** A finalized artifact, as ListArtifacts reports it. */
export interface ArtifactRecord {
  id: number;
  name: string;
  sizeBytes: number;
  /** `sha256:<hex>` of the blob. */
  digest: string;
  /** application/zip for a zipped upload; the file's type for an unarchived one. */
  mimeType: string;
  createdAt: string;
  runBackendId: string;
  jobBackendId: string;
}

/** Names the artifact clients refuse (path-and-artifact-name-validation.ts), and the two that are no file name. */
const INVALID_NAME = /[":<>|*?\r\n\\/]/;

export function validArtifactName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !INVALID_NAME.test(name);
}

/**
 * One run's artifacts under `.replay/runs/<id>/artifacts/<name>/`: `artifact.json` and
 * the blob (a zip, as upload-artifact makes it). An upload is staged in `.uploads/` and
 * renamed into place whole when finalized, so a download never sees half an artifact.
 */
export class ArtifactStore {
  /** The last id given out; chained so that cells finalizing at once get distinct ids. */
  private lastId: Promise<number> | undefined;

  constructor(readonly dir: string) {}

  private allocateId(): Promise<number> {
    const previous = this.lastId ?? this.list().then((all) => Math.max(0, ...all.map((a) => a.id)));
    this.lastId = previous.catch(() => 0).then((n) => n + 1);
    return this.lastId;
  }

  blobPath(name: string): string {
    return path.join(this.dir, name, "blob");
  }

  async get(name: string): Promise<ArtifactRecord | undefined> {
    if (!validArtifactName(name)) return undefined;
    try {
      return JSON.parse(await readFile(path.join(this.dir, name, "artifact.json"), "utf8")) as ArtifactRecord;
    } catch {
      return undefined;
    }
  }

  /** Every finalized artifact, oldest first. */
  async list(): Promise<ArtifactRecord[]> {
    const names = (await readdir(this.dir).catch(() => [] as string[])).filter((n) => !n.startsWith("."));
    const records = await Promise.all(names.map((n) => this.get(n)));
    return records.filter((r): r is ArtifactRecord => r !== undefined).sort((a, b) => a.id - b.id);
  }

  async begin(o: { name: string; mimeType: string; runBackendId: string; jobBackendId: string }): Promise<ArtifactUpload> {
    const staging = path.join(this.dir, ".uploads", randomUUID());
    await mkdir(staging, { recursive: true });
    return new ArtifactUpload(this, staging, o);
  }

  /** @internal Moves a staged upload into place; undefined when the name is taken meanwhile. */
  async finalize(u: ArtifactUpload): Promise<ArtifactRecord | undefined> {
    if (await this.get(u.meta.name)) return undefined;
    const hash = createHash("sha256");
    await pipeline(createReadStream(u.blobPath), hash);
    const record: ArtifactRecord = {
      id: await this.allocateId(),
      name: u.meta.name,
      sizeBytes: (await stat(u.blobPath)).size,
      digest: `sha256:${hash.digest("hex")}`,
      mimeType: u.meta.mimeType,
      createdAt: new Date().toISOString(),
      runBackendId: u.meta.runBackendId,
      jobBackendId: u.meta.jobBackendId,
    };
    await rm(u.blocksDir, { recursive: true, force: true });
    await writeFile(path.join(u.staging, "artifact.json"), `${JSON.stringify(record, null, 2)}\n`);
    try {
      await rename(u.staging, path.join(this.dir, u.meta.name));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOTEMPTY" || code === "EEXIST") return undefined;
      throw e;
    }
    // The staging folder goes once nothing is staged in it (it is there again for the next upload).
    await rmdir(path.dirname(u.staging)).catch(() => undefined);
    return record;
  }

  async delete(name: string): Promise<ArtifactRecord | undefined> {
    const record = await this.get(name);
    if (!record) return undefined;
    // Renamed away first: a download that starts now finds nothing rather than half.
    const gone = path.join(this.dir, ".uploads", `deleted-${randomUUID()}`);
    await mkdir(path.dirname(gone), { recursive: true });
    await rename(path.join(this.dir, name), gone);
    await rm(gone, { recursive: true, force: true });
    await rmdir(path.dirname(gone)).catch(() => undefined);
    return record;
  }
}

/** An artifact being uploaded: its blob goes to `blobPath` (whole, or block by block). */
export class ArtifactUpload {
  readonly id: string;

  constructor(
    private readonly store: ArtifactStore,
    readonly staging: string,
    readonly meta: { name: string; mimeType: string; runBackendId: string; jobBackendId: string },
  ) {
    this.id = path.basename(staging);
  }

  get blobPath(): string {
    return path.join(this.staging, "blob");
  }

  get blocksDir(): string {
    return path.join(this.staging, "blocks");
  }

  finalize(): Promise<ArtifactRecord | undefined> {
    return this.store.finalize(this);
  }

  async abort(): Promise<void> {
    await rm(this.staging, { recursive: true, force: true });
    await rmdir(path.dirname(this.staging)).catch(() => undefined);
  }
}
