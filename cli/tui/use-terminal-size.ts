import { useEffect, useState } from "react";
import { useStdout } from "ink";

/** The terminal's columns and rows, updated when it is resized. */
export function useTerminalSize(fallback = { columns: 100, rows: 30 }): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = (): { columns: number; rows: number } => ({ columns: stdout.columns || fallback.columns, rows: stdout.rows || fallback.rows });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = (): void => setSize(read());
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  });
  return size;
}
