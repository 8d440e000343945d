// The limits replay applies to a workflow file, so that no file can make it run away
// (time, memory) or crash. GitHub's where it documents one (256 jobs per matrix; the
// nesting of reusable workflows is in called-workflows.ts), replay's own elsewhere, each
// far above what real workflows use. README: "Limits applied to workflows".

import { isUtf8 } from "node:buffer";
import type { Problem } from "../common/index.js";
import type { Value, ValueMap } from "./model.js";
import type { YamlSource } from "./yaml-source.js";

/** GitHub's: "A job matrix can generate a maximum of 256 jobs per workflow run." */
export const MAX_MATRIX_JOBS = 256;
/**
 * Replay's own: the combinations of a matrix's vectors, before `exclude`, that replay
 * expands (they are built one by one before `exclude` removes any).
 */
export const MAX_MATRIX_COMBINATIONS = 65_536;
/** Replay's own: the largest workflow files in real projects are a few hundred KiB. */
export const MAX_WORKFLOW_FILE_BYTES = 1024 * 1024;
/** Replay's own. */
export const MAX_JOBS_PER_WORKFLOW = 1000;
/** Replay's own. */
export const MAX_STEPS_PER_JOB = 1000;
/** The yaml library's own guard against alias bombs; its default (100) is below what real anchors need. */
export const MAX_YAML_ALIAS_COUNT = 1000;

const KIB = 1024;

/**
 * A workflow file's bytes as text, or the problem that refuses it: more than
 * MAX_WORKFLOW_FILE_BYTES, or not UTF-8 (GitHub reads workflows as UTF-8; replacing a
 * bad byte with U+FFFD would run something else than what is written).
 */
export function decodeWorkflowFile(file: string, input: string | Uint8Array): { text: string } | { problem: Problem } {
  const bytes = typeof input === "string" ? undefined : input;
  const size = bytes ? bytes.length : Buffer.byteLength(input as string);
  if (size > MAX_WORKFLOW_FILE_BYTES) {
    const head = bytes ? Buffer.from(bytes.subarray(0, MAX_WORKFLOW_FILE_BYTES)).toString("latin1") : (input as string).slice(0, MAX_WORKFLOW_FILE_BYTES);
    const line = head.split("\n").length;
    return {
      problem: {
        file,
        line,
        col: 1,
        message: `the file has ${Math.ceil(size / KIB)} KiB; replay reads workflow files of at most ${MAX_WORKFLOW_FILE_BYTES / KIB} KiB (this line passes the limit)`,
      },
    };
  }
  if (!bytes) return { text: input as string };
  if (isUtf8(bytes)) return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8") };
  const lossy = new TextDecoder("utf-8").decode(bytes);
  const bad = firstInvalidUtf8(lossy, bytes);
  const before = lossy.slice(0, bad.index);
  const line = before.split("\n").length;
  const col = bad.index - before.lastIndexOf("\n");
  const byte = `0x${(bytes[bad.byteOffset] ?? 0).toString(16).padStart(2, "0")}`;
  return {
    problem: { file, line, col, message: `invalid UTF-8 (byte ${byte} at offset ${bad.byteOffset}); workflow files must be UTF-8` },
  };
}

/** Where the decoder replaced bytes that are not UTF-8: a U+FFFD the file did not spell as EF BF BD. */
function firstInvalidUtf8(lossy: string, bytes: Uint8Array): { index: number; byteOffset: number } {
  let offset = 0;
  for (let i = 0; i < lossy.length; i++) {
    const c = lossy.charCodeAt(i);
    if (c === 0xfffd && !(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) return { index: i, byteOffset: offset };
    if (c >= 0xd800 && c <= 0xdbff) {
      offset += 4; // a surrogate pair: four bytes for both halves
      i++;
    } else offset += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
  }
  return { index: lossy.length, byteOffset: bytes.length };
}

const isMap = (v: Value | undefined): v is ValueMap => typeof v === "object" && v !== null && !Array.isArray(v);

/** Too many jobs, or a job with too many steps: one problem at the first item past the limit. */
export function limitProblems(source: YamlSource, raw: ValueMap): Problem[] {
  const jobs = raw["jobs"];
  if (!isMap(jobs)) return [];
  const ids = Object.keys(jobs);
  const problems: Problem[] = [];
  const over = ids[MAX_JOBS_PER_WORKFLOW];
  if (over !== undefined) {
    problems.push(source.problem(["jobs", over], `the workflow has ${ids.length} jobs; replay reads at most ${MAX_JOBS_PER_WORKFLOW} jobs per workflow`, "key"));
    return problems;
  }
  for (const id of ids) {
    const steps = (jobs[id] as ValueMap | null)?.["steps"];
    if (Array.isArray(steps) && steps.length > MAX_STEPS_PER_JOB) {
      problems.push(source.problem(["jobs", id, "steps", MAX_STEPS_PER_JOB], `job '${id}' has ${steps.length} steps; replay runs at most ${MAX_STEPS_PER_JOB} steps per job`));
    }
  }
  return problems;
}
