interface BuildMessage {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Reads the JSON-lines progress of an engine build, passing each line of output to
 * `emit`; answers the build's error message, or undefined when it reported none.
 */
export async function followBuild(stream: AsyncIterable<Buffer | string>, emit: (line: string) => void): Promise<string | undefined> {
  let error: string | undefined;
  let pending = "";
  const handle = (raw: string): void => {
    if (raw.trim() === "") return;
    let m: BuildMessage;
    try {
      m = JSON.parse(raw) as BuildMessage;
    } catch {
      emit(raw);
      return;
    }
    if (m.error !== undefined) {
      error = m.errorDetail?.message ?? m.error;
      emit(error);
    }
    const text = m.stream ?? m.status;
    if (text !== undefined) for (const line of text.split("\n")) if (line.trim() !== "") emit(line.trimEnd());
  };
  for await (const chunk of stream) {
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    lines.forEach(handle);
  }
  handle(pending);
  return error;
}
