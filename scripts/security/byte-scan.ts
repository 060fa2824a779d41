import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";

/**
 * Finds which needles occur in a byte stream, across chunk boundaries: each chunk is searched together
 * with the tail of the one before it (as long as the longest needle minus one byte).
 */
export async function needlesIn(stream: Readable, needles: readonly Buffer[]): Promise<Set<number>> {
  const found = new Set<number>();
  const overlap = Math.max(0, ...needles.map((n) => n.length - 1));
  let tail = Buffer.alloc(0);
  for await (const chunk of stream) {
    const window = Buffer.concat([tail, chunk as Buffer]);
    needles.forEach((needle, i) => {
      if (!found.has(i) && window.includes(needle)) found.add(i);
    });
    tail = window.subarray(Math.max(0, window.length - overlap));
  }
  return found;
}

export const needlesInFile = (path: string, needles: readonly Buffer[]) =>
  needlesIn(createReadStream(path, { highWaterMark: 1 << 20 }), needles);
