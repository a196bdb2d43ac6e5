import { DiagLogLevel, diag } from "@opentelemetry/api";
import { ManualClock } from "@swarmgate/core";
import { afterEach, describe, expect, it } from "vitest";
import { ExemplarStore, prometheusName, seriesKey } from "./exemplar-store.js";

const SCOPE = { name: "@swarmgate/core", version: "0.1.0" };
const T = "0af7651916cd43dd8448eb211c80319c";
const attrs = Object.freeze({ "gen_ai.operation.name": "chat", "http.response.status_code": 200 });
// The series as the Prometheus exporter writes it: scope labels, attribute names sanitized, values as text.
const KEY = seriesKey("gen_ai_client_operation_duration", [
  ["gen_ai_operation_name", "chat"],
  ["http_response_status_code", "200"],
  ["otel_scope_name", "@swarmgate/core"],
  ["otel_scope_version", "0.1.0"],
]);

afterEach(() => diag.disable());

describe("ExemplarStore", () => {
  it("keeps the latest exemplar of each bucket, (lower, upper] as Prometheus' le, +Inf included", async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const store = new ExemplarStore({ now: () => clock.now() });
    const h = store.histogram("gen_ai.client.operation.duration", SCOPE, [0.1, 1]);
    h.offer(0.05, attrs, T, "a000000000000001");
    await clock.advance(10);
    h.offer(0.1, attrs, T, "a000000000000002"); // on the boundary: still the first bucket
    await clock.advance(10);
    h.offer(0.5, attrs, T, "a000000000000003");
    h.offer(7, attrs, T, "a000000000000004");
    h.offer(Number.NaN, attrs, T, "a000000000000005");
    h.offer(Number.POSITIVE_INFINITY, attrs, T, "a000000000000006");
    expect(store.snapshot().get(KEY)).toEqual([
      { value: 0.1, traceId: T, spanId: "a000000000000002", timeMs: 1_700_000_000_010 },
      { value: 0.5, traceId: T, spanId: "a000000000000003", timeMs: 1_700_000_000_020 },
      { value: 7, traceId: T, spanId: "a000000000000004", timeMs: 1_700_000_000_020 },
    ]);
  });

  it("finds a series by its attribute set, whether the object is frozen, a copy, or in another key order", () => {
    const store = new ExemplarStore({ now: () => 1 });
    const h = store.histogram("gen_ai.client.operation.duration", SCOPE, [1]);
    h.offer(0.5, attrs, T, "b000000000000001");
    const copy = { "http.response.status_code": 200, "gen_ai.operation.name": "chat" };
    h.offer(2, copy, T, "b000000000000002");
    copy["gen_ai.operation.name"] = "changed after the record"; // the store kept its own copy
    expect(
      store
        .snapshot()
        .get(KEY)
        ?.map((e) => e.spanId),
    ).toEqual(["b000000000000001", "b000000000000002"]);
    expect(store.histogram("gen_ai.client.operation.duration", SCOPE, [1])).toBe(h);
    expect([...store.snapshot().keys()]).toEqual([KEY]);
  });

  it("tells fresh attribute objects apart by their values", () => {
    const store = new ExemplarStore({ now: () => 1 });
    const h = store.histogram("h", { name: "s" }, [1]);
    h.offer(0.1, { status: 200 }, T, "f000000000000001");
    h.offer(0.2, { status: 200 }, T, "f000000000000002"); // the same series: replaces 0.1
    h.offer(0.3, { status: 500 }, T, "f000000000000003");
    h.offer(0.4, { status: 200, error: "x" }, T, "f000000000000004");
    h.offer(0.5, { other: 200 }, T, "f000000000000005");
    const values = (labels: [string, string][]) =>
      store
        .snapshot()
        .get(seriesKey("h", [["otel_scope_name", "s"], ...labels]))
        ?.map((e) => e.value);
    expect(store.snapshot().size).toBe(4);
    expect(values([["status", "200"]])).toEqual([0.2]);
    expect(values([["status", "500"]])).toEqual([0.3]);
    expect(
      values([
        ["status", "200"],
        ["error", "x"],
      ]),
    ).toEqual([0.4]);
    expect(values([["other", "200"]])).toEqual([0.5]);
  });

  it("keeps apart the same histogram of two scopes, and names series as the exporter does", () => {
    const store = new ExemplarStore({ now: () => 1 });
    store.histogram("http.client.request.duration", { name: "a" }, [1]).offer(0.5, {}, T, "c000000000000001");
    store
      .histogram("http.client.request.duration", { name: "b", schemaUrl: "https://s" }, [1])
      .offer(0.5, { "1st.key": [1, 2] }, undefined, undefined);
    expect([...store.snapshot().entries()]).toEqual([
      [
        seriesKey("http_client_request_duration", [["otel_scope_name", "a"]]),
        [{ value: 0.5, traceId: T, spanId: "c000000000000001", timeMs: 1 }],
      ],
      [
        seriesKey("http_client_request_duration", [
          ["otel_scope_name", "b"],
          ["otel_scope_schema_url", "https://s"],
          ["_1st_key", "[1,2]"],
        ]),
        [{ value: 0.5, traceId: undefined, spanId: undefined, timeMs: 1 }],
      ],
    ]);
    expect(prometheusName("a..b-c")).toBe("a_b_c");
  });

  it("keeps at most maxSeries series, and says so once", () => {
    const warnings: string[] = [];
    const noop = () => {};
    diag.setLogger(
      { error: noop, warn: (m: string) => warnings.push(m), info: noop, debug: noop, verbose: noop },
      DiagLogLevel.WARN,
    );
    const store = new ExemplarStore({ now: () => 1, maxSeries: 2 });
    const h = store.histogram("d", SCOPE, [1]);
    for (const model of ["a", "b", "c", "d", "a"]) h.offer(0.5, { model }, T, "d000000000000001");
    expect(store.snapshot().size).toBe(2);
    expect(warnings).toEqual(["swarmgate exemplars: more than 2 histogram series; later ones keep none"]);
  });
});
