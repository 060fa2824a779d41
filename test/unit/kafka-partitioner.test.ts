import { describe, expect, it } from "vitest";
import { murmur2 } from "../helpers/kafka-partitioner.ts";

// Apache Kafka's own vectors (clients UtilsTest.testMurmur2).
const VECTORS: Array<[string, number]> = [
  ["21", -973932308],
  ["foobar", -790332482],
  ["a-little-bit-long-string", -985981536],
  ["a-little-bit-longer-string", -1486304829],
  ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
  ["abc", 479470107],
];

describe("murmur2, as Kafka's default partitioner hashes keys", () => {
  it.each(VECTORS)("hashes %s to %i", (key, hash) => {
    expect(murmur2(Buffer.from(key))).toBe(hash);
  });
});
