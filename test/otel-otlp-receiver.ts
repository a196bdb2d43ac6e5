// A real OTLP/HTTP receiver on loopback: accepts `POST /v1/traces` (and /v1/metrics) as
// JSON, the encoding of @opentelemetry/exporter-trace-otlp-http, gzip or not.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

type AnyValue = {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
};
type KeyValue = { key: string; value: AnyValue };

export interface ReceivedSpan {
  readonly name: string;
  readonly kind: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly attributes: Record<string, unknown>;
  readonly events: { name: string; attributes: Record<string, unknown> }[];
  readonly resource: Record<string, unknown>;
  readonly scope: string;
}

function decodeValue(v: AnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(decodeValue);
  return undefined;
}

const attrs = (list: KeyValue[] | undefined) =>
  Object.fromEntries((list ?? []).map((kv) => [kv.key, decodeValue(kv.value)]));

export interface OtlpReceiver {
  readonly url: string;
  /** Raw request bodies (decoded to text), every path. */
  readonly bodies: { path: string; contentType: string; text: string }[];
  spans(): ReceivedSpan[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const bodies: OtlpReceiver["bodies"] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body);
      bodies.push({
        path: req.url ?? "",
        contentType: String(req.headers["content-type"]),
        text: body.toString("utf8"),
      });
      res.writeHead(req.method === "POST" ? 200 : 405, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    spans() {
      const out: ReceivedSpan[] = [];
      for (const b of bodies) {
        if (b.path !== "/v1/traces") continue;
        const json = JSON.parse(b.text) as {
          resourceSpans?: {
            resource?: { attributes?: KeyValue[] };
            scopeSpans?: {
              scope?: { name?: string };
              spans?: {
                name: string;
                kind: number;
                traceId: string;
                spanId: string;
                parentSpanId?: string;
                attributes?: KeyValue[];
                events?: { name: string; attributes?: KeyValue[] }[];
              }[];
            }[];
          }[];
        };
        for (const rs of json.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? [])
            for (const s of ss.spans ?? [])
              out.push({
                name: s.name,
                kind: s.kind,
                traceId: s.traceId,
                spanId: s.spanId,
                parentSpanId: s.parentSpanId || undefined,
                attributes: attrs(s.attributes),
                events: (s.events ?? []).map((e) => ({ name: e.name, attributes: attrs(e.attributes) })),
                resource: attrs(rs.resource?.attributes),
                scope: ss.scope?.name ?? "",
              });
      }
      return out;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
