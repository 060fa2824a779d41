import { describe, expect, it } from "vitest";
import { checkJsonShape } from "../../http-ingress/json-limits.ts";

const limits = { depth: 3, keys: 4 };

describe("JSON shape limits on the raw text", () => {
  it("accepts what is within the limits, counting only structure outside strings", () => {
    expect(checkJsonShape('{"a":{"b":[1,2,"{[{[:::"]}}', limits)).toBeNull();
    expect(checkJsonShape('{"a\\"{{{{":1,"b":"\\\\","c":[[]]}', limits)).toBeNull();
    expect(checkJsonShape("", limits)).toBeNull();
  });

  it("reports the first limit crossed", () => {
    expect(checkJsonShape("[[[[1]]]]", limits)).toEqual({ problem: "depth", limit: 3 });
    expect(checkJsonShape('{"a":{"b":{"c":{}}}}', limits)).toEqual({ problem: "depth", limit: 3 });
    expect(checkJsonShape('{"a":1,"b":2,"c":3,"d":4,"e":5}', limits)).toEqual({ problem: "keys", limit: 4 });
  });

  it("stops early on a huge nesting, without parsing it", () => {
    expect(checkJsonShape("[".repeat(1_000_000), limits)).toEqual({ problem: "depth", limit: 3 });
  });
});
