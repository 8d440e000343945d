import { BlockBlobWriter } from "./block-blob.js";
import type { ArtifactRecord, ArtifactStore, ArtifactUpload } from "./artifact-store.js";
import { validArtifactName } from "./artifact-store.js";
import type { UrlSigner } from "./signed-url.js";
import { TwirpError, field, stringField } from "./twirp.js";
import type { JsonObject } from "./twirp.js";

export const ARTIFACT_UPLOAD_PATH = "/blob/artifacts/uploads/";
export const ARTIFACT_DOWNLOAD_PATH = "/blob/artifacts/files/";

/**
 * Artifacts v4: Twirp `github.actions.results.api.v1.ArtifactService` over one run's
 * ArtifactStore, with uploads to a signed blob URL as @actions/artifact makes them.
 */
export class ArtifactService {
  private readonly uploads = new Map<string, { upload: ArtifactUpload; writer: BlockBlobWriter }>();

  constructor(
    private readonly o: { store: ArtifactStore; signer: UrlSigner; baseUrl: string },
  ) {}

  private wire(a: ArtifactRecord): JsonObject {
    return {
      workflow_run_backend_id: a.runBackendId,
      workflow_job_run_backend_id: a.jobBackendId,
      database_id: String(a.id),
      name: a.name,
      size: String(a.sizeBytes),
      created_at: a.createdAt,
      digest: a.digest,
    };
  }

  async twirp(method: string, req: JsonObject): Promise<JsonObject> {
    switch (method) {
      case "CreateArtifact": {
        const name = stringField(req, "name");
        if (!validArtifactName(name)) throw new TwirpError("invalid_argument", `the artifact name ${JSON.stringify(name)} is not valid`);
        if (await this.o.store.get(name)) throw new TwirpError("already_exists", "an artifact with this name already exists on the workflow run");
        const upload = await this.o.store.begin({
          name,
          mimeType: stringField(req, "mime_type", false) || "application/zip",
          runBackendId: stringField(req, "workflow_run_backend_id"),
          jobBackendId: stringField(req, "workflow_job_run_backend_id"),
        });
        const previous = this.uploads.get(name);
        if (previous) await previous.upload.abort();
        this.uploads.set(name, { upload, writer: new BlockBlobWriter(upload.blobPath, upload.blocksDir) });
        return { ok: true, signed_upload_url: this.o.signer.sign(this.o.baseUrl, `${ARTIFACT_UPLOAD_PATH}${upload.id}`) };
      }
      case "FinalizeArtifact": {
        const name = stringField(req, "name");
        const pending = this.uploads.get(name);
        if (!pending) throw new TwirpError("not_found", `no upload of the artifact ${name} is in progress`);
        this.uploads.delete(name);
        const record = await pending.upload.finalize().catch(async (e: unknown) => {
          await pending.upload.abort();
          throw new TwirpError("failed_precondition", `the artifact ${name} was not uploaded: ${e instanceof Error ? e.message : String(e)}`);
        });
        if (!record) {
          await pending.upload.abort();
          throw new TwirpError("already_exists", "an artifact with this name already exists on the workflow run");
        }
        return { ok: true, artifact_id: String(record.id) };
      }
      case "ListArtifacts": {
        const nameFilter = stringField(req, "name_filter", false);
        const idFilter = field(req, "id_filter");
        const id = idFilter === undefined || idFilter === null ? undefined : Number(typeof idFilter === "object" ? (idFilter as JsonObject)["value"] : idFilter);
        const artifacts = (await this.o.store.list()).filter((a) => (nameFilter === "" || a.name === nameFilter) && (id === undefined || a.id === id));
        return { artifacts: artifacts.map((a) => this.wire(a)) };
      }
      case "GetSignedArtifactURL": {
        const name = stringField(req, "name");
        if (!(await this.o.store.get(name))) throw new TwirpError("not_found", `no artifact named ${name} in this run`);
        return { signed_url: this.o.signer.sign(this.o.baseUrl, `${ARTIFACT_DOWNLOAD_PATH}${encodeURIComponent(name)}`) };
      }
      case "DeleteArtifact": {
        const name = stringField(req, "name");
        const record = await this.o.store.delete(name);
        if (!record) throw new TwirpError("not_found", `no artifact named ${name} in this run`);
        return { ok: true, artifact_id: String(record.id) };
      }
      default:
        throw new TwirpError("bad_route", `no method ${method} in ArtifactService`);
    }
  }

  uploadWriter(uploadId: string): BlockBlobWriter | undefined {
    for (const u of this.uploads.values()) if (u.upload.id === uploadId) return u.writer;
    return undefined;
  }

  async download(name: string): Promise<{ path: string; record: ArtifactRecord } | undefined> {
    const record = await this.o.store.get(name);
    return record ? { path: this.o.store.blobPath(name), record } : undefined;
  }

  async close(): Promise<void> {
    for (const u of this.uploads.values()) await u.upload.abort();
    this.uploads.clear();
  }
}
