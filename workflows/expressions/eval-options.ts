import type { Value } from "../model.js";
import type { ContextName } from "./allowed-names.js";

/** Job status view for the status functions. */
export interface StatusView {
  /** success()/failure() basis: true when any relevant earlier step or ancestor job failed */
  failed: boolean;
  cancelled: boolean;
  /** A job-level view: an ancestor job was skipped, so success() is false (failure() is not true). */
  ancestorSkipped?: boolean;
}

export interface EvalOptions {
  /** Plain JS data; a missing context is an empty object (`matrix`: null). */
  contexts: Partial<Record<ContextName, Value>>;
  /** Omitted: success() true, failure() false, cancelled() false. */
  status?: StatusView | undefined;
  /** hashFiles() for the async variants, e.g. `(p) => hashFiles(workspaceDir, p)`. */
  hashFiles?: ((patterns: string[]) => Promise<string>) | undefined;
}

/** What the status functions return. As on the runner, a cancelled job is neither a success nor a failure. */
export interface ResolvedStatus {
  success: boolean;
  failure: boolean;
  cancelled: boolean;
}

export function resolveStatus(s: StatusView | undefined): ResolvedStatus {
  const failed = s?.failed ?? false;
  const cancelled = s?.cancelled ?? false;
  const skipped = s?.ancestorSkipped ?? false;
  return { success: !failed && !cancelled && !skipped, failure: failed && !cancelled, cancelled };
}
